package io.distlock.benchmarks.memcached;

import io.distlock.LockOptions;
import io.distlock.benchmarks.harness.Contender;
import io.distlock.benchmarks.harness.DistlockClient;
import io.distlock.benchmarks.harness.LockClient;
import io.distlock.benchmarks.harness.Reports;
import io.distlock.benchmarks.harness.Result;
import io.distlock.benchmarks.harness.Rounds;
import io.distlock.benchmarks.harness.Scenario;
import io.distlock.benchmarks.harness.Slice;
import io.distlock.benchmarks.harness.Windows;
import io.distlock.memcached.MemcachedLockBackend;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.transcoders.StringTranscoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * distlock on memcached against the protocol's minimum, on one private memcached on loopback, in
 * one run: the raw client is xmemcached itself (the client distlock uses, binary protocol, one
 * connection) doing {@code add}, then {@code gets} and a CAS {@code delete}: the least a correct
 * owner-checked lock needs.
 *
 * <p>Scenarios: one thread on one name; 16 threads of one client on 16 names (both uncontended,
 * against raw); and two clients (a manager each, as two processes would have) taking turns on one
 * name, each holding it for a random 0-100 ms (so the waiter's polls fall at random points of the
 * hold), where the figure is the hand-off time, from the moment the holder starts to release until
 * the other client's acquire returns, against the retry interval: memcached has no notification,
 * so a waiter learns of a release at its next poll. Turns are taken because a client that
 * re-acquires at once after its release would win almost every time against a poller. Implementations take turns in short slices, several rounds, so a noisy neighbour on
 * this shared machine penalises neither in particular; ratios are the median of per-round ratios.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.memcached.MemcachedLockBenchmark [seconds] [rounds]</pre>
 */
public final class MemcachedLockBenchmark {
    private static final Duration RETRY_INTERVAL = Duration.ofMillis(50);

    private MemcachedLockBenchmark() {
    }

    /** xmemcached directly: add (spinning on busy), then gets and a CAS delete if the owner matches. */
    static final class Raw implements LockClient {
        private final MemcachedClient client;

        Raw(ServerProcess server) throws IOException {
            XMemcachedClientBuilder builder = new XMemcachedClientBuilder(
                    List.of(new InetSocketAddress(server.host(), server.port())));
            builder.setCommandFactory(new BinaryCommandFactory());
            builder.setTranscoder(new StringTranscoder("UTF-8"));
            builder.setConnectionPoolSize(1);
            builder.setSelectorPoolSize(1);
            client = builder.build();
        }

        @Override
        public Held acquire(String name) throws Exception {
            String key = "raw:" + name;
            String owner = UUID.randomUUID().toString();
            while (!client.add(key, 32, owner)) {
                Thread.onSpinWait();
            }
            return () -> {
                GetsResponse<String> current = client.gets(key);
                if (current != null && owner.equals(current.getValue())) {
                    client.delete(key, current.getCas(), 2000);
                }
            };
        }

        @Override
        public void close() throws IOException {
            client.shutdown();
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = Reports.intArg(args, 0, 2);
        int rounds = Reports.intArg(args, 1, 5);
        StringBuilder table = new StringBuilder();
        table.append("| scenario | distlock critical sections/s | raw xmemcached critical sections/s | distlock vs raw "
                + "(median of rounds) | hand-off median ms | hand-off p99 ms | exclusion violations |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|\n");
        try (ServerProcess memcached = TestBackend.MEMCACHED.start()) {
            String uri = TestBackend.MEMCACHED.uri(memcached);
            // distlock with its defaults: lease 30 s, waiting forever, 50 ms retry interval.
            LockOptions options = LockOptions.builder().lease(Duration.ofSeconds(30)).waitForever()
                    .retryInterval(RETRY_INTERVAL).build();
            Contender distlock = new Contender("DISTLOCK", "distlock-memcached",
                    () -> new DistlockClient(MemcachedLockBackend.open(uri + "?namespace=bench"), options));
            Contender raw = new Contender("RAW", "raw xmemcached", () -> new Raw(memcached));
            List<Scenario> scenarios = List.of(
                    Scenario.distinctNames("ONE_THREAD", "1 thread, 1 name", 1),
                    Scenario.distinctNames("SIXTEEN_THREADS", "16 threads, 16 names", 16),
                    Scenario.oneName("TWO_CLIENTS_TAKING_TURNS", "2 clients taking turns on 1 name, holding 0-100 ms", 2, 1)
                            .holdingUpTo(Duration.ofMillis(100)).takingTurns());
            Rounds results = Rounds.alternate(scenarios, s -> s.oneName() ? List.of(distlock) : List.of(distlock, raw),
                    rounds, Slice.with(Windows.of(seconds)));
            for (Scenario scenario : scenarios) {
                Result all = results.total(scenario, distlock);
                if (all == null) {
                    continue;
                }
                Result rawAll = results.total(scenario, raw);
                boolean contended = scenario.oneName();
                table.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %s | %s | %d |%n", scenario.label(),
                        all.throughput(),
                        contended || rawAll == null ? "-" : String.format(Locale.ROOT, "%,.0f", rawAll.throughput()),
                        contended ? "-" : String.format(Locale.ROOT, "%.2fx", results.medianRatio(scenario, distlock, raw)),
                        contended ? String.format(Locale.ROOT, "%.1f (%.2fx the %d ms retry interval)",
                                all.handOffNanos(0.5) / 1e6, all.handOffNanos(0.5) / 1e6 / RETRY_INTERVAL.toMillis(),
                                RETRY_INTERVAL.toMillis()) : "-",
                        contended ? String.format(Locale.ROOT, "%.1f", all.handOffNanos(0.99) / 1e6) : "-",
                        all.violations() + (rawAll == null ? 0 : rawAll.violations())));
            }
            table.append(String.format(Locale.ROOT, "%n%d rounds of %d s slices per implementation, taking turns, each "
                            + "after 1 s of warm-up; Java %s; %d cores; %s, private, loopback.%n", rounds, seconds,
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                    Reports.commandOutput("memcached (version unknown)", "memcached", "-V")));
        }
        Reports.publish("memcached-benchmark.md", table.toString());
    }
}
