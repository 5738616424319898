package io.distlock.benchmarks.memcached;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.memcached.MemcachedLockBackend;
import io.distlock.memcached.MemcachedServers;
import io.distlock.testkit.server.ServerProcess;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.transcoders.StringTranscoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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

    interface Client extends AutoCloseable {
        /** Blocks until held; returns the release. */
        Runnable acquire(String name) throws Exception;

        @Override
        void close() throws Exception;
    }

    /** distlock with its defaults: lease 30 s, waiting forever, 50 ms retry interval. */
    static final class Distlock implements Client {
        private static final LockOptions OPTIONS = LockOptions.builder().lease(Duration.ofSeconds(30)).waitForever()
                .retryInterval(RETRY_INTERVAL).build();
        private final LockManager manager;

        Distlock(String uri) {
            manager = LockManager.builder(MemcachedLockBackend.open(uri + "?namespace=bench")).build();
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

    /** xmemcached directly: add (spinning on busy), then gets and a CAS delete if the owner matches. */
    static final class Raw implements Client {
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
        public Runnable acquire(String name) throws Exception {
            String key = "raw:" + name;
            String owner = UUID.randomUUID().toString();
            while (!client.add(key, 32, owner)) {
                Thread.onSpinWait();
            }
            return () -> {
                try {
                    GetsResponse<String> current = client.gets(key);
                    if (current != null && owner.equals(current.getValue())) {
                        client.delete(key, current.getCas(), 2000);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
        }

        @Override
        public void close() throws IOException {
            client.shutdown();
        }
    }

    enum Scenario {
        ONE_THREAD("1 thread, 1 name", 1, 1, false),
        SIXTEEN_THREADS("16 threads, 16 names", 16, 1, false),
        TWO_CLIENTS_TAKING_TURNS("2 clients taking turns on 1 name, holding 0-100 ms", 1, 2, true);

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

    record Result(long acquisitions, double seconds, long[] handOffs, long violations) {
        double throughput() {
            return acquisitions / seconds;
        }

        double handOffMillis(double p) {
            if (handOffs.length == 0) {
                return Double.NaN;
            }
            return handOffs[(int) Math.min(handOffs.length - 1, Math.floor(p * handOffs.length))] / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        StringBuilder table = new StringBuilder();
        table.append("| scenario | distlock critical sections/s | raw xmemcached critical sections/s | distlock vs raw "
                + "(median of rounds) | hand-off median ms | hand-off p99 ms | exclusion violations |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|\n");
        try (ServerProcess memcached = MemcachedServers.start()) {
            String uri = "memcached://" + memcached.host() + ":" + memcached.port();
            for (Scenario scenario : Scenario.values()) {
                List<Double> ratios = new ArrayList<>();
                long distlockAcquisitions = 0;
                double distlockSeconds = 0;
                long rawAcquisitions = 0;
                double rawSeconds = 0;
                List<long[]> handOffs = new ArrayList<>();
                long violations = 0;
                for (int round = 1; round <= rounds; round++) {
                    Result distlock = run(scenario, () -> new Distlock(uri), seconds);
                    distlockAcquisitions += distlock.acquisitions();
                    distlockSeconds += distlock.seconds();
                    handOffs.add(distlock.handOffs());
                    violations += distlock.violations();
                    String line = String.format(Locale.ROOT, "round %d %s: distlock %,.0f/s", round, scenario.label,
                            distlock.throughput());
                    if (!scenario.contended) {
                        Result raw = run(scenario, () -> new Raw(memcached), seconds);
                        rawAcquisitions += raw.acquisitions();
                        rawSeconds += raw.seconds();
                        violations += raw.violations();
                        ratios.add(distlock.throughput() / raw.throughput());
                        line += String.format(Locale.ROOT, ", raw %,.0f/s", raw.throughput());
                    } else {
                        line += String.format(Locale.ROOT, ", hand-off median %.1f ms", distlock.handOffMillis(0.5));
                    }
                    System.err.println(line);
                }
                long[] allHandOffs = handOffs.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                Result all = new Result(distlockAcquisitions, distlockSeconds, allHandOffs, violations);
                double median = median(ratios);
                table.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %s | %s | %d |%n", scenario.label,
                        all.throughput(),
                        scenario.contended ? "-" : String.format(Locale.ROOT, "%,.0f", rawAcquisitions / rawSeconds),
                        scenario.contended ? "-" : String.format(Locale.ROOT, "%.2fx", median),
                        scenario.contended ? String.format(Locale.ROOT, "%.1f (%.2fx the %d ms retry interval)",
                                all.handOffMillis(0.5), all.handOffMillis(0.5) / RETRY_INTERVAL.toMillis(),
                                RETRY_INTERVAL.toMillis()) : "-",
                        scenario.contended ? String.format(Locale.ROOT, "%.1f", all.handOffMillis(0.99)) : "-",
                        violations));
            }
            table.append(String.format(Locale.ROOT, "%n%d rounds of %d s slices per implementation, taking turns, each "
                            + "after 1 s of warm-up; Java %s; %d cores; %s, private, loopback.%n", rounds, seconds,
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), memcachedVersion()));
        }
        System.out.println(table);
        Path out = Path.of("target", "memcached-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString(), StandardCharsets.UTF_8);
    }

    interface Opener {
        Client open() throws Exception;
    }

    private static Result run(Scenario scenario, Opener opener, int seconds) throws Exception {
        String runId = "run-" + System.nanoTime();
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < scenario.clients; i++) {
            clients.add(opener.open());
        }
        int contenders = scenario.clients * scenario.threadsPerClient;
        AtomicLong acquisitions = new AtomicLong();
        AtomicLong violations = new AtomicLong();
        AtomicInteger[] inside = new AtomicInteger[scenario.contended ? 1 : contenders];
        Arrays.setAll(inside, i -> new AtomicInteger());
        AtomicLong releaseStartedAt = new AtomicLong();
        AtomicInteger lastHolder = new AtomicInteger(-1);
        long[] handOffs = new long[1_000_000];
        AtomicInteger handOffCount = new AtomicInteger();
        AtomicInteger phase = new AtomicInteger(); // 0 warm-up, 1 measuring, 2 stop
        CyclicBarrier start = new CyclicBarrier(contenders + 1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < contenders; c++) {
            int id = c;
            Client client = clients.get(c / scenario.threadsPerClient);
            String name = scenario.contended ? runId : runId + "-" + c;
            AtomicInteger occupancy = inside[scenario.contended ? 0 : c];
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    while (phase.get() < 2) {
                        Runnable release = client.acquire(name);
                        long acquiredAt = System.nanoTime();
                        if (occupancy.incrementAndGet() != 1) {
                            violations.incrementAndGet();
                        }
                        boolean measuring = phase.get() == 1;
                        if (scenario.contended) {
                            int previous = lastHolder.getAndSet(id);
                            if (measuring && previous != id && previous >= 0) {
                                int i = handOffCount.getAndIncrement();
                                if (i < handOffs.length) {
                                    handOffs[i] = acquiredAt - releaseStartedAt.get();
                                }
                            }
                        }
                        if (measuring) {
                            acquisitions.incrementAndGet();
                        }
                        if (scenario.contended) {
                            // The work under the lock: a benchmark's clock, not a synchronization.
                            TimeUnit.MICROSECONDS.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(100_000));
                        }
                        occupancy.decrementAndGet();
                        releaseStartedAt.set(System.nanoTime());
                        release.run();
                        if (scenario.contended) {
                            // Taking turns: wait until the other client has had the lock.
                            while (lastHolder.get() == id && phase.get() < 2) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "bench-" + c);
            threads.add(thread);
            thread.start();
        }
        start.await();
        TimeUnit.SECONDS.sleep(1); // warm-up: a benchmark's clock, not a synchronization
        phase.set(1);
        long measureStart = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        phase.set(2);
        long measureEnd = System.nanoTime();
        for (Thread thread : threads) {
            thread.join(60_000);
            if (thread.isAlive()) {
                failures.add(new IllegalStateException(thread.getName() + " did not stop"));
                thread.interrupt();
            }
        }
        for (Client client : clients) {
            client.close();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(scenario + " failed", failures.get(0));
        }
        long[] sorted = Arrays.copyOf(handOffs, Math.min(handOffCount.get(), handOffs.length));
        Arrays.sort(sorted);
        return new Result(acquisitions.get(), (measureEnd - measureStart) / 1e9, sorted, violations.get());
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String memcachedVersion() {
        try {
            Process p = new ProcessBuilder("memcached", "-V").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return text;
        } catch (IOException | InterruptedException e) {
            return "memcached (version unknown)";
        }
    }
}
