package io.distlock.benchmarks.redis;

import io.distlock.benchmarks.harness.ComparisonTable;
import io.distlock.benchmarks.harness.Contender;
import io.distlock.benchmarks.harness.DistlockClient;
import io.distlock.benchmarks.harness.Reports;
import io.distlock.benchmarks.harness.Rounds;
import io.distlock.benchmarks.harness.Scenario;
import io.distlock.benchmarks.harness.Slice;
import io.distlock.benchmarks.harness.Windows;
import io.distlock.redis.RedisLockBackend;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * distlock on Redis against the protocol's minimum (raw Lettuce: SET NX PX, compare-and-delete
 * script) and against Redisson's RLock, all on one private redis-server on loopback, in one run.
 *
 * <p>Four scenarios, from the issue: one thread on one name; 16 threads of one client on 16 names;
 * 8 threads of one client on one name; 8 clients (own connections each, as 8 processes would have)
 * with one thread each on one name. Each measurement runs for a warm-up and then a measured period;
 * the implementations take turns in short slices, round after round (see {@link Rounds}).
 *
 * <p>Hand-off latency: from the moment a holder starts to release until another contender's
 * acquire returns (same JVM, same monotonic clock). Fairness: acquisitions per contender, as
 * min / mean / max.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.redis.RedisLockBenchmark [seconds] [rounds]</pre>
 */
public final class RedisLockBenchmark {
    private static final Pattern CALLS = Pattern.compile("calls=(\\d+)");

    private RedisLockBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Reports.intArg(args, 0, 2);
        int rounds = Reports.intArg(args, 1, 5);
        try (ServerProcess redis = TestBackend.REDIS.start()) {
            String uri = TestBackend.REDIS.uri(redis);
            Contender raw = new Contender("RAW_LETTUCE", "raw Lettuce (SET NX PX + CAD script)", "raw",
                    () -> new RawLettuceClient(uri));
            // distlock with its defaults (retry interval 50 ms as the safety net, pub/sub wake-ups).
            Contender distlock = new Contender("DISTLOCK", "distlock-redis",
                    () -> new DistlockClient(RedisLockBackend.open(uri + "?namespace=bench")));
            Contender redisson = new Contender("REDISSON", "Redisson RLock", "Redisson", () -> new RedissonLockClient(uri));
            List<Scenario> scenarios = List.of(
                    Scenario.distinctNames("ONE_THREAD_ONE_NAME", "1 thread, 1 name", 1),
                    Scenario.distinctNames("SIXTEEN_THREADS_SIXTEEN_NAMES", "16 threads, 16 names", 16),
                    Scenario.oneName("EIGHT_THREADS_ONE_NAME", "8 threads of 1 client, 1 name", 1, 8),
                    Scenario.oneName("EIGHT_CLIENTS_ONE_NAME", "8 clients x 1 thread, 1 name", 8, 1));
            // The raw baseline does not wait for a busy lock, so it only runs uncontended.
            Rounds results = Rounds.alternate(scenarios,
                    s -> s.oneName() ? List.of(distlock, redisson) : List.of(raw, distlock, redisson), rounds,
                    Slice.with(Windows.of(seconds), () -> commandCount(redis.port())));
            String table = new ComparisonTable()
                    .ratio("vs baseline: all slices; median of rounds", s -> s.oneName() ? redisson : raw, true)
                    .handOffs()
                    .fairness("fewest / most acquisitions of one contender, x mean (worst slice)")
                    .perCriticalSection("Redis commands per critical section", "%.1f")
                    .render(results)
                    + '\n' + String.format(Locale.ROOT,
                    "%d rounds of %d s slices per implementation, taking turns, each after 1 s of warm-up; "
                            + "figures are over all slices; %s; %s; Java %s; %d cores.%n",
                    rounds, seconds, Reports.mavenVersion("io.lettuce", "lettuce-core", "Lettuce"),
                    Reports.mavenVersion("org.redisson", "redisson", "Redisson"), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors())
                    + "Server: " + Reports.commandOutput("redis-server (version unknown)", "redis-server", "--version")
                    .replaceAll(" sha=.*", "") + ", private, loopback, no persistence.\n";
            Reports.publish("redis-benchmark.md", table);
        }
    }

    /**
     * Locking commands the server executed so far (scripts, SET, SUBSCRIBE, UNSUBSCRIBE). Commands
     * inside scripts are counted by Redis too, but are not round trips: count only what a client
     * sends for locking (Redisson subscribes and unsubscribes around each wait).
     */
    private static long commandCount(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("INFO commandstats\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            int length = Integer.parseInt(in.readLine().substring(1));
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            long total = 0;
            for (String line : new String(body, 0, read).split("\r\n")) {
                if (line.matches("cmdstat_(eval|evalsha|eval_ro|evalsha_ro|set|subscribe|unsubscribe):.*")) {
                    Matcher m = CALLS.matcher(line);
                    if (m.find()) {
                        total += Long.parseLong(m.group(1));
                    }
                }
            }
            return total;
        } catch (IOException e) {
            return 0;
        }
    }
}
