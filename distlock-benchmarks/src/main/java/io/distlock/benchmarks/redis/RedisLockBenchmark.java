package io.distlock.benchmarks.redis;

import io.distlock.redis.RedisServers;
import io.distlock.testkit.server.ServerProcess;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Properties;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * distlock on Redis against the protocol's minimum (raw Lettuce: SET NX PX, compare-and-delete
 * script) and against Redisson's RLock, all on one private redis-server on loopback, in one run.
 *
 * <p>Four scenarios, from the issue: one thread on one name; 16 threads of one client on 16 names;
 * 8 threads of one client on one name; 8 clients (own connections each, as 8 processes would have)
 * with one thread each on one name. Each measurement runs for a warm-up and then a measured period;
 * the implementations take turns, in two rounds, and the table keeps the better round of each, so a
 * noisy neighbour on this shared machine penalises nobody in particular.
 *
 * <p>Hand-off latency: from the moment a holder starts to release until another contender's
 * acquire returns with the lock (same JVM, same monotonic clock). Fairness: acquisitions per
 * contender, as min / mean / max.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.redis.RedisLockBenchmark [seconds]</pre>
 */
public final class RedisLockBenchmark {
    private final Duration warmup;
    private final Duration measured;

    private RedisLockBenchmark(Duration warmup, Duration measured) {
        this.warmup = warmup;
        this.measured = measured;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        RedisLockBenchmark benchmark = new RedisLockBenchmark(Duration.ofSeconds(1), Duration.ofSeconds(seconds));
        try (ServerProcess redis = RedisServers.start()) {
            String uri = "redis://127.0.0.1:" + redis.port();
            Map<String, Result> total = new LinkedHashMap<>();
            Map<String, List<Double>> perRound = new LinkedHashMap<>();
            String only = System.getProperty("bench.only", "");
            for (Scenario scenario : Scenario.values()) {
                if (!only.isEmpty() && !scenario.name().contains(only)) {
                    continue;
                }
                // Short slices, taking turns: whatever else this shared machine does hits all alike.
                for (int round = 1; round <= rounds; round++) {
                    for (Contender contender : scenario.contenders()) {
                        Result result = benchmark.run(scenario, contender, uri, redis.port());
                        System.err.println("round " + round + ": " + result.row());
                        total.merge(scenario + "/" + contender, result, Result::plus);
                        perRound.computeIfAbsent(scenario + "/" + contender, k -> new ArrayList<>()).add(result.throughput());
                    }
                }
            }
            String table = table(total.values(), perRound, redis, seconds, rounds);
            System.out.println(table);
            Path out = Path.of("target", "redis-benchmark.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
    }

    enum Scenario {
        ONE_THREAD_ONE_NAME("1 thread, 1 name", 1, 1, false),
        SIXTEEN_THREADS_SIXTEEN_NAMES("16 threads, 16 names", 16, 1, false),
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

        List<Contender> contenders() {
            // The raw baseline does not wait for a busy lock, so it only runs uncontended.
            return contended ? List.of(Contender.DISTLOCK, Contender.REDISSON)
                    : List.of(Contender.RAW_LETTUCE, Contender.DISTLOCK, Contender.REDISSON);
        }
    }

    enum Contender {
        RAW_LETTUCE("raw Lettuce (SET NX PX + CAD script)"),
        DISTLOCK("distlock-redis"),
        REDISSON("Redisson RLock");

        final String label;

        Contender(String label) {
            this.label = label;
        }

        LockClient open(String uri) {
            return switch (this) {
                case RAW_LETTUCE -> new RawLettuceClient(uri);
                case DISTLOCK -> new DistlockClient(uri);
                case REDISSON -> new RedissonLockClient(uri);
            };
        }
    }

    private Result run(Scenario scenario, Contender contender, String uri, int port) throws Exception {
        String runId = contender.name().toLowerCase(Locale.ROOT) + "-" + scenario.ordinal() + "-" + System.nanoTime();
        List<LockClient> clients = new ArrayList<>();
        for (int i = 0; i < scenario.clients; i++) {
            clients.add(contender.open(uri));
        }
        int contenders = scenario.clients * scenario.threadsPerClient;
        AtomicLong[] acquisitions = new AtomicLong[contenders];
        Arrays.setAll(acquisitions, i -> new AtomicLong());
        // One occupancy counter per name: shared when all contend for one name, else one each.
        AtomicInteger[] inside = new AtomicInteger[scenario.contended ? 1 : contenders];
        Arrays.setAll(inside, i -> new AtomicInteger());
        AtomicLong violations = new AtomicLong();
        AtomicLong releaseStartedAt = new AtomicLong();
        AtomicInteger lastHolder = new AtomicInteger(-1);
        LatencyRecorder handOffs = new LatencyRecorder(4_000_000);
        AtomicInteger phase = new AtomicInteger(); // 0 warm-up, 1 measuring, 2 stop
        CyclicBarrier start = new CyclicBarrier(contenders + 1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < contenders; c++) {
            int id = c;
            LockClient client = clients.get(c / scenario.threadsPerClient);
            String name = scenario.contended ? runId : runId + "-" + c;
            AtomicInteger occupancy = inside[scenario.contended ? 0 : c];
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    while (phase.get() < 2) {
                        LockClient.Held held = client.acquire(name);
                        long acquiredAt = System.nanoTime();
                        if (occupancy.incrementAndGet() != 1) {
                            violations.incrementAndGet();
                        }
                        boolean measuring = phase.get() == 1;
                        if (scenario.contended) {
                            int previous = lastHolder.getAndSet(id);
                            if (measuring && previous != id && previous >= 0) {
                                handOffs.record(acquiredAt - releaseStartedAt.get());
                            }
                        }
                        if (measuring) {
                            acquisitions[id].incrementAndGet();
                        }
                        occupancy.decrementAndGet();
                        releaseStartedAt.set(System.nanoTime());
                        held.release();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "bench-" + c);
            threads.add(thread);
            thread.start();
        }
        start.await();
        TimeUnit.NANOSECONDS.sleep(warmup.toNanos()); // a benchmark's clock, not a synchronization
        long commandsBefore = commandCount(port);
        phase.set(1);
        long measureStart = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(measured.toNanos());
        phase.set(2);
        long measureEnd = System.nanoTime();
        long commands = commandCount(port) - commandsBefore;
        for (Thread thread : threads) {
            thread.join(30_000);
            if (thread.isAlive()) {
                failures.add(new IllegalStateException(thread.getName() + " did not stop"));
                thread.interrupt();
            }
        }
        for (LockClient client : clients) {
            client.close();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(contender + " " + scenario + " failed", failures.get(0));
        }
        long total = Arrays.stream(acquisitions).mapToLong(AtomicLong::get).sum();
        long[] perContender = Arrays.stream(acquisitions).mapToLong(AtomicLong::get).sorted().toArray();
        double mean = (double) total / contenders;
        double seconds = (measureEnd - measureStart) / 1e9;
        return new Result(scenario, contender, total, seconds, perContender[0] / mean,
                perContender[perContender.length - 1] / mean, contenders, handOffs.snapshot(), violations.get(), commands);
    }

    /** Lock-free enough: one slot per hand-off, taken with an atomic index. */
    private static final class LatencyRecorder {
        private final long[] values;
        private final AtomicInteger count = new AtomicInteger();

        LatencyRecorder(int capacity) {
            values = new long[capacity];
        }

        void record(long nanos) {
            int i = count.getAndIncrement();
            if (i < values.length) {
                values[i] = nanos;
            }
        }

        long[] snapshot() {
            long[] copy = Arrays.copyOf(values, Math.min(count.get(), values.length));
            Arrays.sort(copy);
            return copy;
        }
    }

    /**
     * @param minShare the fewest acquisitions of one contender over the mean, in the worst slice
     * @param maxShare the most acquisitions of one contender over the mean, in the worst slice
     */
    record Result(Scenario scenario, Contender contender, long acquisitions, double seconds, double minShare,
                  double maxShare, int contenders, long[] handOffs, long violations, long commands) {
        double throughput() {
            return acquisitions / seconds;
        }

        /** Both slices together: sums, and the hand-offs and per-contender counts of both. */
        Result plus(Result other) {
            long[] latencies = java.util.stream.LongStream.concat(Arrays.stream(handOffs), Arrays.stream(other.handOffs))
                    .sorted().toArray();
            return new Result(scenario, contender, acquisitions + other.acquisitions, seconds + other.seconds,
                    Math.min(minShare, other.minShare), Math.max(maxShare, other.maxShare), contenders, latencies,
                    violations + other.violations, commands + other.commands);
        }

        String percentile(double p) {
            if (handOffs.length == 0) {
                return "-";
            }
            long nanos = handOffs[(int) Math.min(handOffs.length - 1, Math.floor(p * handOffs.length))];
            return String.format(Locale.ROOT, "%.0f", nanos / 1e3);
        }

        String fairness() {
            if (contenders == 1) {
                return "-";
            }
            return String.format(Locale.ROOT, "%.2f / %.2f", minShare, maxShare);
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %s | %s | %s | %.1f | %d |", scenario.label,
                    contender.label, throughput(), "%s", percentile(0.5), percentile(0.99), fairness(),
                    (double) commands / Math.max(1, acquisitions), violations);
        }
    }

    /**
     * The median over rounds of each round's ratio: a round runs every implementation back to back,
     * so its ratio compares them under the same conditions, and the median ignores a round in which
     * this shared machine was busy for one of them only.
     */
    private static double medianRatio(List<Double> mine, List<Double> baseline) {
        double[] ratios = new double[Math.min(mine.size(), baseline.size())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = mine.get(i) / baseline.get(i);
        }
        Arrays.sort(ratios);
        int n = ratios.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    }

    private static String table(java.util.Collection<Result> results, Map<String, List<Double>> perRound,
                                ServerProcess redis, int seconds, int rounds) {
        StringBuilder out = new StringBuilder();
        out.append("| scenario | implementation | critical sections/s | vs baseline: all slices; median of rounds | hand-off median µs | "
                + "hand-off p99 µs | fewest / most acquisitions of one contender, x mean (worst slice) | Redis commands per critical section | exclusion violations |\n");
        out.append("|---|---|---:|---:|---:|---:|---|---:|---:|\n");
        Map<Scenario, Double> baseline = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.contender == (r.scenario.contended ? Contender.REDISSON : Contender.RAW_LETTUCE)) {
                baseline.put(r.scenario, r.throughput());
            }
        }
        for (Result r : results) {
            Double base = baseline.get(r.scenario);
            Contender baselineContender = r.scenario.contended ? Contender.REDISSON : Contender.RAW_LETTUCE;
            String ratio = base == null ? "-" : String.format(Locale.ROOT, "%.2fx; %.2fx %s", r.throughput() / base,
                    medianRatio(perRound.get(r.scenario + "/" + r.contender), perRound.get(r.scenario + "/" + baselineContender)),
                    r.scenario.contended ? "Redisson" : "raw");
            out.append(String.format(r.row(), ratio)).append('\n');
        }
        out.append('\n').append(String.format(Locale.ROOT,
                "%d rounds of %d s slices per implementation, taking turns, each after 1 s of warm-up; "
                        + "figures are over all slices; %s; %s; Java %s; %d cores.%n",
                rounds, seconds, version("io.lettuce", "lettuce-core", "Lettuce"),
                version("org.redisson", "redisson", "Redisson"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors()));
        out.append("Server: ").append(redisVersion()).append(", private, loopback, no persistence.\n");
        return out.toString();
    }

    /**
     * Locking commands the server executed so far (scripts, SET, SUBSCRIBE, UNSUBSCRIBE), read
     * around the measured period (its edges may shift a few commands either way).
     */
    private static long commandCount(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("INFO commandstats\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
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
                // Commands inside scripts are counted too, but are not round trips: count only what a
                // client sends for locking (Redisson subscribes and unsubscribes around each wait).
                if (line.matches("cmdstat_(eval|evalsha|eval_ro|evalsha_ro|set|subscribe|unsubscribe):.*")) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("calls=(\\d+)").matcher(line);
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

    private static String version(String group, String artifact, String label) {
        try (InputStream in = RedisLockBenchmark.class.getResourceAsStream(
                "/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            if (in == null) {
                return label + " (version unknown)";
            }
            Properties properties = new Properties();
            properties.load(in);
            return label + " " + properties.getProperty("version");
        } catch (IOException e) {
            return label + " (version unknown)";
        }
    }

    private static String redisVersion() {
        try {
            Process p = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return text.replaceAll(" sha=.*", "");
        } catch (IOException | InterruptedException e) {
            return "redis-server (version unknown)";
        }
    }
}
