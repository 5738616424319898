package io.distlock.benchmarks.zookeeper;

import io.distlock.benchmarks.harness.ComparisonTable;
import io.distlock.benchmarks.harness.Contender;
import io.distlock.benchmarks.harness.DistlockClient;
import io.distlock.benchmarks.harness.LockClient;
import io.distlock.benchmarks.harness.Reports;
import io.distlock.benchmarks.harness.Rounds;
import io.distlock.benchmarks.harness.Scenario;
import io.distlock.benchmarks.harness.Slice;
import io.distlock.benchmarks.harness.Windows;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import io.distlock.testkit.server.ZooKeeperServers;
import io.distlock.zookeeper.ZooKeeperLockBackend;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * distlock on ZooKeeper against Apache Curator's InterProcessMutex, on one private ZooKeeper server
 * on loopback (the Debian package's), in one run, taking turns in short slices.
 *
 * <p>Scenarios: one thread on one name (uncontended acquire+release); 8 threads of one client on
 * one name; 8 clients (a session each, as 8 processes would have) with one thread each on one
 * name. Hand-off latency: from the moment a holder starts to release until another contender's
 * acquire returns (same JVM, same monotonic clock). Fairness: acquisitions per contender, as
 * fewest / most over the mean. Requests: the server's zk_packets_received per critical section.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.zookeeper.ZooKeeperLockBenchmark [seconds] [rounds]</pre>
 */
public final class ZooKeeperLockBenchmark {

    private ZooKeeperLockBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Reports.intArg(args, 0, 2);
        int rounds = Reports.intArg(args, 1, 3);
        try (ServerProcess zookeeper = TestBackend.ZOOKEEPER.start()) {
            String hosts = zookeeper.host() + ":" + zookeeper.port();
            // distlock with its defaults (retry interval 50 ms as the safety net, watch wake-ups).
            Contender distlock = new Contender("DISTLOCK", "distlock-zookeeper",
                    () -> new DistlockClient(ZooKeeperLockBackend.open(TestBackend.ZOOKEEPER.uri(zookeeper) + "/bench")));
            Contender curator = new Contender("CURATOR", "Curator InterProcessMutex", () -> new CuratorClient(hosts));
            List<Scenario> scenarios = List.of(
                    Scenario.distinctNames("ONE_THREAD_ONE_NAME", "1 thread, 1 name", 1),
                    Scenario.oneName("EIGHT_THREADS_ONE_NAME", "8 threads of 1 client, 1 name", 1, 8),
                    Scenario.oneName("EIGHT_CLIENTS_ONE_NAME", "8 clients x 1 thread, 1 name", 8, 1));
            Rounds results = Rounds.alternate(scenarios, s -> List.of(distlock, curator), rounds,
                    Slice.with(Windows.of(seconds), () -> packetsReceived(zookeeper)));
            String table = new ComparisonTable()
                    .ratio("vs Curator: all slices; median of rounds", s -> curator, false)
                    .handOffs()
                    .fairness("fewest / most acquisitions of one contender, x mean")
                    .perCriticalSection("requests per critical section", "%.2f")
                    .render(results)
                    + '\n' + String.format(Locale.ROOT,
                    "%d rounds of %d s slices per implementation, taking turns, each after 1 s of warm-up; Java %s; "
                            + "%d cores; one private ZooKeeper server (%s), loopback, no fsync; Curator 5.9.0.%n",
                    rounds, seconds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                    serverVersion(zookeeper));
            Reports.publish("zookeeper-benchmark.md", table);
        }
    }

    /** Curator's recipe as its documentation shows it: one client, one InterProcessMutex per lock path. */
    static final class CuratorClient implements LockClient {
        private final CuratorFramework client;
        private final Map<String, InterProcessMutex> mutexes = new ConcurrentHashMap<>();

        CuratorClient(String hosts) {
            client = CuratorFrameworkFactory.newClient(hosts, new ExponentialBackoffRetry(100, 3));
            client.start();
        }

        @Override
        public Held acquire(String name) throws Exception {
            InterProcessMutex mutex = mutexes.computeIfAbsent(name, n -> new InterProcessMutex(client, "/bench-curator/" + n));
            mutex.acquire();
            return mutex::release;
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static long packetsReceived(ServerProcess zookeeper) {
        String mntr = ZooKeeperServers.fourLetterWord(zookeeper.host(), zookeeper.port(), "mntr");
        if (mntr != null) {
            for (String line : mntr.split("\n")) {
                if (line.startsWith("zk_packets_received")) {
                    return Long.parseLong(line.split("\\s+")[1]);
                }
            }
        }
        return 0;
    }

    private static String serverVersion(ServerProcess zookeeper) {
        String srvr = ZooKeeperServers.fourLetterWord(zookeeper.host(), zookeeper.port(), "srvr");
        return srvr == null ? "version unknown" : srvr.split("\n")[0].replaceAll(", built on.*", "").replace("-${mvngit.commit.id}", "");
    }
}
