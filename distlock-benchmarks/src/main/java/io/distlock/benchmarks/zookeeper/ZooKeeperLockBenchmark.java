package io.distlock.benchmarks.zookeeper;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.zookeeper.ZooKeeperLockBackend;
import io.distlock.zookeeper.ZooKeeperServers;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
    private static final Duration WARMUP = Duration.ofSeconds(1);

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (ServerProcess zookeeper = ZooKeeperServers.start()) {
            String hosts = zookeeper.host() + ":" + zookeeper.port();
            Map<String, Result> total = new LinkedHashMap<>();
            Map<String, List<Double>> perRound = new LinkedHashMap<>();
            for (Scenario scenario : Scenario.values()) {
                for (int round = 1; round <= rounds; round++) {
                    for (Contender contender : Contender.values()) {
                        Result result = run(scenario, contender, zookeeper, hosts, Duration.ofSeconds(seconds));
                        System.err.println("round " + round + ": " + String.format(result.row(), "-"));
                        total.merge(scenario + "/" + contender, result, Result::plus);
                        perRound.computeIfAbsent(scenario + "/" + contender, k -> new ArrayList<>())
                                .add(result.throughput());
                    }
                }
            }
            String table = table(total, perRound, seconds, rounds, serverVersion(zookeeper));
            System.out.println(table);
            Path out = Path.of("target", "zookeeper-benchmark.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
    }

    enum Scenario {
        ONE_THREAD_ONE_NAME("1 thread, 1 name", 1, 1, false),
        EIGHT_THREADS_ONE_NAME("8 threads of 1 client, 1 name", 8, 1, true),
        EIGHT_CLIENTS_ONE_NAME("8 clients x 1 thread, 1 name", 1, 8, true);

        final String label;
        final int threadsPerClient;
        final int clients;
        final boolean contended;

        Scenario(String label, int threadsPerClient, int clients, boolean contended) {
            this.label = label;
            this.threadsPerClient = threadsPerClient;
            this.clients = clients;
            this.contended = contended;
        }
    }

    enum Contender {
        DISTLOCK("distlock-zookeeper"),
        CURATOR("Curator InterProcessMutex");

        final String label;

        Contender(String label) {
            this.label = label;
        }

        Client open(String hosts, String name) {
            return this == DISTLOCK ? new DistlockClient(hosts) : new CuratorClient(hosts, name);
        }
    }

    /** One client of the lock service: its own session, as one process would have. */
    interface Client extends AutoCloseable {
        Runnable acquire(String name) throws Exception;

        @Override
        void close();
    }

    /** distlock with its defaults (retry interval 50 ms as the safety net, watch wake-ups). */
    static final class DistlockClient implements Client {
        private static final LockOptions OPTIONS = LockOptions.builder().lease(Duration.ofSeconds(30)).waitForever().build();
        private final LockManager manager;

        DistlockClient(String hosts) {
            manager = LockManager.builder(ZooKeeperLockBackend.open("zookeeper://" + hosts + "/bench")).build();
        }

        @Override
        public Runnable acquire(String name) {
            Lock lock = manager.acquire(name, OPTIONS);
            return lock::release;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** Curator's recipe as its documentation shows it: one client, one InterProcessMutex per lock path. */
    static final class CuratorClient implements Client {
        private final CuratorFramework client;
        private final InterProcessMutex mutex;

        CuratorClient(String hosts, String name) {
            client = CuratorFrameworkFactory.newClient(hosts, new ExponentialBackoffRetry(100, 3));
            client.start();
            mutex = new InterProcessMutex(client, "/bench-curator/" + name);
        }

        @Override
        public Runnable acquire(String name) throws Exception {
            mutex.acquire();
            return () -> {
                try {
                    mutex.release();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static Result run(Scenario scenario, Contender contender, ServerProcess zookeeper, String hosts,
                              Duration measured) throws Exception {
        String name = contender.name().toLowerCase(Locale.ROOT) + "-" + scenario.ordinal() + "-" + System.nanoTime();
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < scenario.clients; i++) {
            clients.add(contender.open(hosts, name));
        }
        int contenders = scenario.clients * scenario.threadsPerClient;
        AtomicLong[] acquisitions = new AtomicLong[contenders];
        Arrays.setAll(acquisitions, i -> new AtomicLong());
        AtomicInteger inside = new AtomicInteger();
        AtomicLong violations = new AtomicLong();
        AtomicLong releaseStartedAt = new AtomicLong();
        AtomicInteger lastHolder = new AtomicInteger(-1);
        long[] handOffs = new long[4_000_000];
        AtomicInteger handOffCount = new AtomicInteger();
        AtomicInteger phase = new AtomicInteger(); // 0 warm-up, 1 measuring, 2 stop
        CyclicBarrier start = new CyclicBarrier(contenders + 1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < contenders; c++) {
            int id = c;
            Client client = clients.get(c / scenario.threadsPerClient);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    while (phase.get() < 2) {
                        Runnable release = client.acquire(name);
                        long acquiredAt = System.nanoTime();
                        if (inside.incrementAndGet() != 1) {
                            violations.incrementAndGet();
                        }
                        boolean measuring = phase.get() == 1;
                        int previous = lastHolder.getAndSet(id);
                        if (measuring && previous != id && previous >= 0) {
                            int i = handOffCount.getAndIncrement();
                            if (i < handOffs.length) {
                                handOffs[i] = acquiredAt - releaseStartedAt.get();
                            }
                        }
                        if (measuring) {
                            acquisitions[id].incrementAndGet();
                        }
                        inside.decrementAndGet();
                        releaseStartedAt.set(System.nanoTime());
                        release.run();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "bench-" + c);
            threads.add(thread);
            thread.start();
        }
        start.await();
        TimeUnit.NANOSECONDS.sleep(WARMUP.toNanos()); // a benchmark's clock, not a synchronization
        long requestsBefore = packetsReceived(zookeeper);
        phase.set(1);
        long measureStart = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(measured.toNanos());
        phase.set(2);
        long measureEnd = System.nanoTime();
        long requests = packetsReceived(zookeeper) - requestsBefore;
        for (Thread thread : threads) {
            thread.join(30_000);
            if (thread.isAlive()) {
                failures.add(new IllegalStateException(thread.getName() + " did not stop"));
                thread.interrupt();
            }
        }
        clients.forEach(Client::close);
        if (!failures.isEmpty()) {
            throw new IllegalStateException(contender + " " + scenario + " failed", failures.get(0));
        }
        long sum = Arrays.stream(acquisitions).mapToLong(AtomicLong::get).sum();
        long[] perContender = Arrays.stream(acquisitions).mapToLong(AtomicLong::get).sorted().toArray();
        double mean = (double) sum / contenders;
        long[] latencies = Arrays.copyOf(handOffs, Math.min(handOffCount.get(), handOffs.length));
        Arrays.sort(latencies);
        return new Result(scenario, contender, sum, (measureEnd - measureStart) / 1e9, perContender[0] / mean,
                perContender[perContender.length - 1] / mean, contenders, latencies, violations.get(), requests);
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

    record Result(Scenario scenario, Contender contender, long acquisitions, double seconds, double minShare,
                  double maxShare, int contenders, long[] handOffs, long violations, long requests) {
        double throughput() {
            return acquisitions / seconds;
        }

        Result plus(Result other) {
            long[] latencies = java.util.stream.LongStream.concat(Arrays.stream(handOffs), Arrays.stream(other.handOffs))
                    .sorted().toArray();
            return new Result(scenario, contender, acquisitions + other.acquisitions, seconds + other.seconds,
                    Math.min(minShare, other.minShare), Math.max(maxShare, other.maxShare), contenders, latencies,
                    violations + other.violations, requests + other.requests);
        }

        String percentile(double p) {
            if (handOffs.length == 0) {
                return "-";
            }
            long nanos = handOffs[(int) Math.min(handOffs.length - 1, Math.floor(p * handOffs.length))];
            return String.format(Locale.ROOT, "%.0f", nanos / 1e3);
        }

        String row() {
            String fairness = contenders == 1 ? "-" : String.format(Locale.ROOT, "%.2f / %.2f", minShare, maxShare);
            return String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %s | %s | %s | %.2f | %d |", scenario.label,
                    contender.label, throughput(), "%s", scenario.contended ? percentile(0.5) : "-",
                    scenario.contended ? percentile(0.99) : "-", fairness,
                    (double) requests / Math.max(1, acquisitions), violations);
        }
    }

    /** The median over rounds of each round's ratio (both ran back to back within a round). */
    private static double medianRatio(List<Double> mine, List<Double> baseline) {
        double[] ratios = new double[Math.min(mine.size(), baseline.size())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = mine.get(i) / baseline.get(i);
        }
        Arrays.sort(ratios);
        int n = ratios.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    }

    private static String serverVersion(ServerProcess zookeeper) {
        String srvr = ZooKeeperServers.fourLetterWord(zookeeper.host(), zookeeper.port(), "srvr");
        return srvr == null ? "version unknown" : srvr.split("\n")[0].replaceAll(", built on.*", "").replace("-${mvngit.commit.id}", "");
    }

    private static String table(Map<String, Result> results, Map<String, List<Double>> perRound, int seconds, int rounds,
                                String server) {
        StringBuilder out = new StringBuilder();
        out.append("| scenario | implementation | critical sections/s | vs Curator: all slices; median of rounds "
                + "| hand-off median µs | hand-off p99 µs | fewest / most acquisitions of one contender, x mean "
                + "| requests per critical section | exclusion violations |\n");
        out.append("|---|---|---:|---:|---:|---:|---|---:|---:|\n");
        for (Result r : results.values()) {
            Result curator = results.get(r.scenario + "/" + Contender.CURATOR);
            String ratio = curator == null ? "-" : String.format(Locale.ROOT, "%.2fx; %.2fx",
                    r.throughput() / curator.throughput(),
                    medianRatio(perRound.get(r.scenario + "/" + r.contender), perRound.get(r.scenario + "/" + Contender.CURATOR)));
            out.append(String.format(r.row(), ratio)).append('\n');
        }
        out.append('\n').append(String.format(Locale.ROOT,
                "%d rounds of %d s slices per implementation, taking turns, each after 1 s of warm-up; Java %s; "
                        + "%d cores; one private ZooKeeper server (%s), loopback, no fsync; Curator 5.9.0.%n",
                rounds, seconds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                server));
        return out.toString();
    }
}
