package io.distlock.benchmarks;

import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.benchmarks.harness.HandOffPeer;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

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
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        retryMillis = args.length > 1 ? Long.parseLong(args[1]) : 50;
        Path directory = Files.createTempDirectory("distlock-handoff");
        String uri = "file:" + directory;
        try (HandOffPeer peer = HandOffPeer.start(uri, NAME, Duration.ofMillis(retryMillis))) {
            long[] pipe = pipeBaseline(peer, samples);
            long[] handoff = handoffs(peer, uri, samples);
            report("pipe one-way message (baseline)", pipe, null);
            report("file backend hand-off, notifications on", handoff, pipe);
            long slow = Arrays.stream(handoff).filter(n -> n > 25_000_000L).count();
            System.out.printf(Locale.ROOT, "  %d of %d hand-offs took over 25 ms (retry interval %d ms)%n", slow,
                    handoff.length, retryMillis);
        }
        int pollingSamples = Math.max(20, samples / 20);
        String polling = uri + "?notifications=false";
        try (HandOffPeer peer = HandOffPeer.start(polling, NAME, Duration.ofMillis(retryMillis))) {
            long[] pipe = pipeBaseline(peer, pollingSamples);
            report("file backend hand-off, notifications off (" + retryMillis + " ms polling)",
                    handoffs(peer, polling, pollingSamples), pipe);
        }
    }

    private static long[] pipeBaseline(HandOffPeer peer, int samples) throws IOException {
        for (int i = 0; i < samples / 5; i++) {
            peer.ping();
        }
        long[] latencies = new long[samples];
        for (int i = 0; i < samples; i++) {
            latencies[i] = peer.ping();
        }
        return latencies;
    }

    private static long[] handoffs(HandOffPeer peer, String uri, int samples) throws IOException {
        try (LockManager locks = LockManager.builder(LockBackends.open(uri)).build()) {
            for (int i = 0; i < Math.min(200, samples / 5); i++) {
                peer.handOff(locks);
            }
            long[] latencies = new long[samples];
            int kept = 0;
            int notWaiting = 0;
            while (kept < samples) {
                long latency = peer.handOff(locks);
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

    private static void report(String what, long[] nanos, long @Nullable [] baseline) {
        System.out.printf(Locale.ROOT, "%-58s %s%n", what, HandOffPeer.summary(nanos, baseline));
    }
}
