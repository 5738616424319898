package io.distlock.benchmarks;

import io.distlock.Lock;
import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.CountingBackend;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Hand-off between two processes on the file backend: this JVM holds a lock, a child JVM waits
 * for it in {@code acquire}, this JVM releases, and the time until the child's {@code acquire}
 * returns is one sample. Timestamps are {@link System#nanoTime()} in both processes, which on
 * Linux is {@code CLOCK_MONOTONIC}, one clock for the whole host (the harness refuses to report
 * if a sample comes out negative).
 *
 * <p>Measured in the same run: the baseline, a one-way message over the pipe between the same two
 * processes (the floor of any cross-process wake-up), and the same hand-off with release
 * notifications off, where the waiter polls at the default 50 ms retry interval.
 *
 * <p>The optional second argument is the waiter's retry interval in milliseconds (default 50, the
 * contract's default). With a long one (say 2000), any sample that took longer than a few hundred
 * milliseconds was a wake-up that the notification missed and polling caught.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.FileHandoffBenchmark [samples [retryMillis]]</pre>
 */
public final class FileHandoffBenchmark {
    private static final String NAME = "bench:handoff";
    private static long retryMillis = 50;

    private FileHandoffBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Duration.ofMillis(Long.parseLong(args[2])));
            return;
        }
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        retryMillis = args.length > 1 ? Long.parseLong(args[1]) : 50;
        Path directory = Files.createTempDirectory("distlock-handoff");
        String uri = "file:" + directory;
        try (Peer peer = Peer.start(uri)) {
            long[] pipe = pipeBaseline(peer, samples);
            long[] handoff = handoffs(peer, uri, samples);
            report("pipe one-way message (baseline)", pipe, null);
            report("file backend hand-off, notifications on", handoff, pipe);
            long slow = Arrays.stream(handoff).filter(n -> n > 25_000_000L).count();
            System.out.printf(Locale.ROOT, "  %d of %d hand-offs took over 25 ms (retry interval %d ms)%n", slow,
                    handoff.length, retryMillis);
        }
        int pollingSamples = Math.max(20, samples / 20);
        String polling = uri + "?releaseNotifications=false";
        try (Peer peer = Peer.start(polling)) {
            long[] pipe = pipeBaseline(peer, pollingSamples);
            report("file backend hand-off, notifications off (" + retryMillis + " ms polling)",
                    handoffs(peer, polling, pollingSamples), pipe);
        }
    }

    private static long[] pipeBaseline(Peer peer, int samples) throws IOException {
        for (int i = 0; i < samples / 5; i++) {
            peer.ping();
        }
        long[] latencies = new long[samples];
        for (int i = 0; i < samples; i++) {
            latencies[i] = peer.ping();
        }
        return latencies;
    }

    private static long[] handoffs(Peer peer, String uri, int samples) throws IOException {
        try (LockManager locks = LockManager.builder(LockBackends.open(uri)).build()) {
            for (int i = 0; i < Math.min(200, samples / 5); i++) {
                peer.handoff(locks);
            }
            long[] latencies = new long[samples];
            int kept = 0;
            int notWaiting = 0;
            while (kept < samples) {
                long latency = peer.handoff(locks);
                if (latency < 0) {
                    notWaiting++;
                    if (notWaiting > samples) {
                        throw new IllegalStateException("the child almost never found the lock busy");
                    }
                    continue;
                }
                latencies[kept++] = latency;
            }
            if (notWaiting > 0) {
                System.out.printf(Locale.ROOT, "  (%d samples dropped: the child's first try already found the lock free)%n",
                        notWaiting);
            }
            return latencies;
        }
    }

    private static void report(String what, long[] nanos, long[] baseline) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        if (sorted[0] < 0) {
            throw new IllegalStateException("negative latency: System.nanoTime() is not one clock for both processes here");
        }
        double median = percentile(sorted, 0.50);
        String ratio = "";
        if (baseline != null) {
            long[] base = baseline.clone();
            Arrays.sort(base);
            ratio = String.format(Locale.ROOT, "  = %.1f x baseline median", median / percentile(base, 0.50));
        }
        System.out.printf(Locale.ROOT, "%-58s n=%5d  median %8.1f us  p90 %8.1f us  p99 %8.1f us  max %8.1f us%s%n",
                what, sorted.length, median / 1e3, percentile(sorted, 0.90) / 1e3, percentile(sorted, 0.99) / 1e3,
                sorted[sorted.length - 1] / 1e3, ratio);
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    // ------------------------------------------------------------------ the parent's view of the child

    private static final class Peer implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final PrintStream in;

        private Peer(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        }

        static Peer start(String uri) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    FileHandoffBenchmark.class.getName(), "child", uri, Long.toString(retryMillis)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Peer peer = new Peer(process);
            peer.expect("READY");
            return peer;
        }

        long ping() throws IOException {
            long sent = System.nanoTime();
            in.println("PING");
            return Long.parseLong(expect("PONG ")) - sent;
        }

        /** One hand-off; -1 if the child's acquire did not have to wait. */
        long handoff(LockManager locks) throws IOException {
            Lock lock = locks.acquire(NAME, LockOptions.builder().timeout(Duration.ofSeconds(10)).build());
            in.println("WAIT");
            expect("WAITING");
            // Let the child's first attempt find the lock busy and park; samples where it did not
            // are dropped, not counted (the child reports how many attempts it made).
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3));
            long released = System.nanoTime();
            lock.release();
            String[] got = expect("GOT ").split(" ");
            return Integer.parseInt(got[1]) < 2 ? -1 : Long.parseLong(got[0]) - released;
        }

        private String expect(String prefix) throws IOException {
            String line = out.readLine();
            if (line == null || !line.startsWith(prefix)) {
                throw new IllegalStateException("child said '" + line + "', expected " + prefix);
            }
            return line.substring(prefix.length());
        }

        @Override
        public void close() {
            in.close();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ the child

    private static void child(String uri, Duration retry) throws IOException {
        CountingBackend counted = new CountingBackend(LockBackends.open(uri));
        AtomicInteger attempts = counted.acquires;
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try (LockManager locks = LockManager.builder(counted).build()) {
            System.out.println("READY");
            System.out.flush();
            String line;
            while ((line = stdin.readLine()) != null) {
                if (line.equals("PING")) {
                    long now = System.nanoTime();
                    System.out.println("PONG " + now);
                } else if (line.equals("WAIT")) {
                    System.out.println("WAITING");
                    System.out.flush();
                    attempts.set(0);
                    Lock lock = locks.acquire(NAME, LockOptions.builder().timeout(Duration.ofSeconds(60))
                            .retryInterval(retry).build());
                    long now = System.nanoTime();
                    lock.release();
                    System.out.println("GOT " + now + " " + attempts.get());
                }
                System.out.flush();
            }
        }
    }

    /** Counts the child's tries, so a hand-off where the child never waited can be told apart. */
}
