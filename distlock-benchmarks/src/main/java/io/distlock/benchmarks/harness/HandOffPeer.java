package io.distlock.benchmarks.harness;

import io.distlock.Lock;
import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.CountingBackend;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The other process of a cross-process hand-off: a child JVM with a {@link LockManager} of its own
 * on a backend opened from a URI. This JVM holds a lock, the child waits for it in {@code acquire},
 * this JVM releases, and the time until the child's {@code acquire} returns is one sample.
 * Timestamps are {@link System#nanoTime()} in both processes, which on Linux is
 * {@code CLOCK_MONOTONIC}, one clock for the whole host ({@link #summary} refuses a negative sample).
 *
 * <p>{@link #ping()} is the floor of any cross-process wake-up: a one-way message over the pipe
 * between the same two processes.
 */
public final class HandOffPeer implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;
    private final String name;

    private HandOffPeer(Process process, String name) {
        this.process = process;
        this.name = name;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
    }

    /** A child whose acquire of {@code name} on {@code uri} retries at {@code retryInterval}. */
    public static HandOffPeer start(String uri, String name, Duration retryInterval) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                HandOffPeer.class.getName(), uri, name, Long.toString(retryInterval.toMillis())))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        HandOffPeer peer = new HandOffPeer(process, name);
        peer.expect("READY");
        return peer;
    }

    /** One message over the pipe, in nanoseconds. */
    public long ping() throws IOException {
        long sent = System.nanoTime();
        in.println("PING");
        return Long.parseLong(expect("PONG ")) - sent;
    }

    /**
     * One hand-off from {@code holder} to the child, in nanoseconds; -1 if the child's first try
     * already found the lock free (it never waited), so the sample says nothing about a wake-up.
     */
    public long handOff(LockManager holder) throws IOException {
        Lock lock = holder.acquire(name, LockOptions.builder().waitTime(Duration.ofSeconds(10)).build());
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

    /** Quantile {@code p} of sorted values. */
    public static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    /**
     * "n=…  median …  p90 …  p99 …  max …" in µs, and the median as a multiple of {@code baseline}'s
     * when given.
     */
    public static String summary(long[] nanos, long @Nullable [] baseline) {
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
        return String.format(Locale.ROOT, "n=%5d  median %8.1f us  p90 %8.1f us  p99 %8.1f us  max %8.1f us%s",
                sorted.length, median / 1e3, percentile(sorted, 0.90) / 1e3, percentile(sorted, 0.99) / 1e3,
                sorted[sorted.length - 1] / 1e3, ratio);
    }

    /** The child: {@code uri name retryMillis}; answers PING and WAIT on stdin until it closes. */
    public static void main(String[] args) throws IOException {
        CountingBackend counted = new CountingBackend(LockBackends.open(args[0]));
        String name = args[1];
        Duration retry = Duration.ofMillis(Long.parseLong(args[2]));
        // Counts the child's tries, so a hand-off where the child never waited can be told apart.
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
                    Lock lock = locks.acquire(name, LockOptions.builder().waitTime(Duration.ofSeconds(60))
                            .retryInterval(retry).build());
                    long now = System.nanoTime();
                    lock.release();
                    System.out.println("GOT " + now + " " + attempts.get());
                }
                System.out.flush();
            }
        }
    }
}
