package io.distlock.benchmarks;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.Locked;
import io.distlock.spring.DistlockAutoConfiguration;
import io.distlock.spring.DistributedLock;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * What the starter's interception costs: an uncontended acquire + release directly through the
 * context's {@link LockManager} (the baseline) against the same lock taken by calling a
 * {@code @Locked} method and a SpEL {@code @DistributedLock} method of a bean through its Spring
 * class proxy. Target: the proxy adds at most 10 % to the direct cost on the file backend.
 *
 * <p>Why not JMH: on a shared 2-core machine, the load of other processes changes from second to
 * second, and JMH measures each benchmark in its own stretch of time, so a change of load between
 * them shows up as a difference between them (earlier runs of this benchmark had error bars as
 * large as the scores). Here the three ways take turns in short blocks (about 10 ms of CPU each,
 * their order rotated every round), after a warm-up that lasts until the JIT compiler is done
 * (see {@link #warmUp}), each round gives one ratio to the baseline measured next to
 * it, and the figure is the median of many rounds' ratios, with its 95 % confidence interval
 * (order statistics, no assumption about the distribution) and the interquartile range of the
 * rounds. Each block is timed twice: wall-clock time, and the calling thread's CPU time (user and
 * system, so the file backend's system calls count), which a time slice lost to another process
 * does not inflate: on a loaded machine the CPU-time ratio is the steadier figure. Neither counts
 * the garbage collector's own threads, so the in-memory run, whose wall time does, is the check of
 * what the proxy's allocations cost.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.SpringLockedBenchmark [rounds] [directory...]</pre>
 *
 * <p>Each directory is a parent for the file backend's lock directory (default: {@code java.io.tmpdir},
 * where the starter's default {@code distlock.uri=file:} keeps its locks); the in-memory backend
 * runs too, to show the interception's own cost in nanoseconds.
 */
public final class SpringLockedBenchmark {
    private static final String[] WAYS = {"direct acquire/close (baseline)", "@Locked through the proxy",
            "SpEL @DistributedLock through the proxy"};
    /** Each way's block takes about this much CPU: long enough to time, short enough that load barely changes within a round. */
    private static final long BLOCK_NANOS = 10_000_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static volatile long sink;

    private SpringLockedBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path[] parents = args.length > 1 ? Arrays.stream(args, 1, args.length).map(Path::of).toArray(Path[]::new)
                : new Path[] {Path.of(System.getProperty("java.io.tmpdir"))};
        System.out.printf(Locale.ROOT, "%d rounds; load average at start: %s%n", rounds, loadAverage());
        for (Path parent : parents) {
            run("file:" + parent, parent, rounds);
        }
        run("memory:", null, rounds);
        System.out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    }

    private static void run(String label, @Nullable Path parent, int rounds) throws IOException {
        System.out.printf(Locale.ROOT, "%n%s%n", label);
        @Nullable Path directory = parent == null ? null : Files.createTempDirectory(parent, "distlock-bench-spring");
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("bench",
                    Map.of("distlock.uri", directory == null ? "memory:" : "file:" + directory)));
            context.register(DistlockAutoConfiguration.class, Guarded.class);
            context.refresh();
            LockManager locks = context.getBean(LockManager.class);
            Guarded guarded = context.getBean(Guarded.class);
            LongSupplier[] ways = {
                () -> {
                    try (Lock lock = locks.acquire("bench:spring")) {
                        return lock.token();
                    }
                },
                guarded::locked,
                () -> guarded.spel("spring")};
            warmUp(ways);
            int ops = calibrate(ways[0]);
            double[][] wall = new double[ways.length][rounds];
            double[][] cpu = new double[ways.length][rounds];
            long[] times = new long[2];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < ways.length; i++) {
                    int way = (round + i) % ways.length;
                    block(ways[way], ops, times);
                    wall[way][round] = (double) times[0] / ops;
                    cpu[way][round] = (double) times[1] / ops;
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d calls per block, %d rounds%n", label, ops, rounds);
            report("wall-clock time", wall);
            report("CPU time of the calling thread", cpu);
        } finally {
            if (directory != null) {
                try (Stream<Path> files = Files.walk(directory)) {
                    files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    /**
     * Runs every way until the JIT compiler has had nothing to do for 3 s (at least 5 s, at most
     * 120 s). A fixed warm-up is not enough on a loaded machine: the compiler's threads get little
     * CPU, and a way whose code (the proxy's) is still being compiled while it is measured looks
     * slower than it is.
     */
    private static void warmUp(LongSupplier[] ways) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        long quietSince = start;
        long compiled = jit.getTotalCompilationTime();
        while (true) {
            for (LongSupplier way : ways) {
                block(way, 200);
            }
            long now = System.nanoTime();
            long total = jit.getTotalCompilationTime();
            if (total != compiled) {
                compiled = total;
                quietSince = now;
            }
            if ((now - start > 5_000_000_000L && now - quietSince > 3_000_000_000L) || now - start > 120_000_000_000L) {
                System.out.printf(Locale.ROOT, "warm-up: %.0f s (the JIT compiler quiet for the last %.0f s)%n",
                        (now - start) / 1e9, (now - quietSince) / 1e9);
                return;
            }
        }
    }

    /** Runs {@code ops} calls; {@code times} gets their wall-clock and CPU nanoseconds. */
    private static void block(LongSupplier way, int ops, long[] times) {
        long tokens = 0;
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            tokens += way.getAsLong();
        }
        times[0] = System.nanoTime() - start;
        times[1] = THREADS.getCurrentThreadCpuTime() - cpuStart;
        sink += tokens;
    }

    private static void block(LongSupplier way, int ops) {
        block(way, ops, new long[2]);
    }

    /** Calls per block so that the baseline's block takes about {@link #BLOCK_NANOS} of CPU. */
    private static int calibrate(LongSupplier baseline) {
        int ops = 100;
        long[] samples = new long[5];
        long[] times = new long[2];
        for (int i = 0; i < samples.length; i++) {
            block(baseline, ops, times);
            samples[i] = times[1];
        }
        Arrays.sort(samples);
        return (int) Math.max(50, Math.min(1_000_000, BLOCK_NANOS * ops / Math.max(1, samples[2])));
    }

    private static void report(String clock, double[][] nanosPerOp) {
        int rounds = nanosPerOp[0].length;
        System.out.printf(Locale.ROOT, "%s%n", clock);
        System.out.printf(Locale.ROOT, "| %-40s | %12s | %28s | %24s | %24s |%n", "way", "median ns/op",
                "median of per-round ratios", "95 % CI of that median", "ratios p25 .. p75");
        for (int way = 0; way < nanosPerOp.length; way++) {
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                ratios[round] = nanosPerOp[way][round] / nanosPerOp[0][round];
            }
            double[] times = nanosPerOp[way].clone();
            Arrays.sort(times);
            Arrays.sort(ratios);
            // Distribution-free 95 % interval of a median: the order statistics n/2 -+ 1.96 sqrt(n)/2.
            int half = (int) Math.ceil(1.96 * Math.sqrt(rounds) / 2);
            double low = ratios[Math.max(0, rounds / 2 - half)];
            double high = ratios[Math.min(rounds - 1, rounds / 2 + half)];
            System.out.printf(Locale.ROOT, "| %-40s | %12.0f | %28s | %24s | %24s |%n", WAYS[way], times[rounds / 2],
                    way == 0 ? "1" : String.format(Locale.ROOT, "%.4f", ratios[rounds / 2]),
                    way == 0 ? "-" : String.format(Locale.ROOT, "%.4f .. %.4f", low, high),
                    way == 0 ? "-" : String.format(Locale.ROOT, "%.4f .. %.4f", ratios[rounds / 4], ratios[rounds * 3 / 4]));
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }

    /** A bean with no interface: the proxy is a CGLIB subclass, as for most Spring services. */
    public static class Guarded {
        @Locked("bench:spring")
        public long locked() {
            return 1;
        }

        @DistributedLock(key = "'bench:' + #suffix")
        public long spel(String suffix) {
            return 1;
        }
    }
}
