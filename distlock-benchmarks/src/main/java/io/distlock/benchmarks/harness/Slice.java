package io.distlock.benchmarks.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One slice: one implementation, one scenario, its own fresh clients, threads acquiring and
 * releasing as fast as they can through a warm-up and a measured window. Checks exclusion on the
 * way (a per-name occupancy counter) and records hand-offs where all contend for one name.
 */
public final class Slice {
    private Slice() {
    }

    /** A measure for {@link Rounds#alternate}: every slice with these windows and counters. */
    public static Rounds.Measure with(Windows windows, LongSupplier... counters) {
        return (scenario, contender) -> run(scenario, contender, windows, counters);
    }

    /**
     * @param counters each read just before and just after the measured window (its edges may shift
     *                 a few operations either way): server commands, round trips, CPU time
     */
    public static Result run(Scenario scenario, Contender contender, Windows windows, LongSupplier... counters)
            throws Exception {
        String runId = contender.id().toLowerCase(Locale.ROOT) + "-" + scenario.id().toLowerCase(Locale.ROOT) + "-"
                + System.nanoTime();
        List<LockClient> clients = new ArrayList<>();
        for (int i = 0; i < scenario.clients(); i++) {
            clients.add(contender.opener().open());
        }
        int contenders = scenario.contenders();
        AtomicLong[] acquisitions = new AtomicLong[contenders];
        Arrays.setAll(acquisitions, i -> new AtomicLong());
        // One occupancy counter per name: shared when all contend for one name, else one each.
        AtomicInteger[] inside = new AtomicInteger[scenario.oneName() ? 1 : contenders];
        Arrays.setAll(inside, i -> new AtomicInteger());
        AtomicLong violations = new AtomicLong();
        AtomicLong releaseStartedAt = new AtomicLong();
        AtomicInteger lastHolder = new AtomicInteger(-1);
        Latencies handOffs = new Latencies();
        AtomicInteger phase = new AtomicInteger(); // 0 warm-up, 1 measuring, 2 stop
        CyclicBarrier start = new CyclicBarrier(contenders + 1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        long maxHoldMicros = scenario.maxHold().toNanos() / 1000;
        for (int c = 0; c < contenders; c++) {
            int id = c;
            LockClient client = clients.get(c / scenario.threadsPerClient());
            String name = scenario.oneName() ? runId : runId + "-" + c;
            AtomicInteger occupancy = inside[scenario.oneName() ? 0 : c];
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
                        if (scenario.oneName()) {
                            int previous = lastHolder.getAndSet(id);
                            if (measuring && previous != id && previous >= 0) {
                                handOffs.record(acquiredAt - releaseStartedAt.get());
                            }
                        }
                        if (measuring) {
                            acquisitions[id].incrementAndGet();
                        }
                        if (maxHoldMicros > 0) {
                            // The work under the lock: a benchmark's clock, not a synchronization.
                            TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(maxHoldMicros));
                        }
                        occupancy.decrementAndGet();
                        releaseStartedAt.set(System.nanoTime());
                        held.release();
                        while (scenario.takeTurns() && lastHolder.get() == id && phase.get() < 2) {
                            Thread.onSpinWait();
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
        TimeUnit.NANOSECONDS.sleep(windows.warmup().toNanos()); // a benchmark's clock, not a synchronization
        long[] counts = new long[counters.length];
        for (int i = 0; i < counters.length; i++) {
            counts[i] = -counters[i].getAsLong();
        }
        phase.set(1);
        long measureStart = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(windows.measured().toNanos());
        phase.set(2);
        long measureEnd = System.nanoTime();
        for (int i = 0; i < counters.length; i++) {
            counts[i] += counters[i].getAsLong();
        }
        for (Thread thread : threads) {
            thread.join(60_000);
            if (thread.isAlive()) {
                failures.add(new IllegalStateException(thread.getName() + " did not stop"));
                thread.interrupt();
            }
        }
        for (LockClient client : clients) {
            client.close();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(contender.id() + " " + scenario.id() + " failed", failures.get(0));
        }
        long total = Arrays.stream(acquisitions).mapToLong(AtomicLong::get).sum();
        long[] perContender = Arrays.stream(acquisitions).mapToLong(AtomicLong::get).sorted().toArray();
        double mean = (double) total / contenders;
        return new Result(scenario, contender, total, (measureEnd - measureStart) / 1e9, perContender[0] / mean,
                perContender[perContender.length - 1] / mean, handOffs.sorted(), violations.get(), counts);
    }

    /** Recorded by the holder inside its critical section, so the monitor is never contended. */
    static final class Latencies {
        private long[] values = new long[1024];
        private int count;

        synchronized void record(long nanos) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = nanos;
        }

        synchronized long[] sorted() {
            long[] copy = Arrays.copyOf(values, count);
            Arrays.sort(copy);
            return copy;
        }
    }
}
