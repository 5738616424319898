package io.distlock.benchmarks;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.memory.InMemoryLockBackend;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Shows that nothing is kept per name once its lock is released: acquires and releases N distinct
 * names (default one million) and prints the retained heap after a full GC, before and after,
 * beside a baseline that retains one small object per name, to prove the measure can see it.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.RetainedHeapHarness [names]</pre>
 */
public final class RetainedHeapHarness {
    private RetainedHeapHarness() {
    }

    public static void main(String[] args) {
        int names = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build()) {
            warmUp(locks);
            long before = retainedBytes();
            for (int i = 0; i < names; i++) {
                try (Lock lock = locks.acquire("customer:" + i)) {
                    if (lock.token() <= 0) {
                        throw new IllegalStateException("bad token");
                    }
                }
            }
            long after = retainedBytes();
            String[] baseline = new String[names];
            for (int i = 0; i < names; i++) {
                baseline[i] = "customer:" + i;
            }
            long withBaseline = retainedBytes();
            System.out.printf("names acquired and released: %,d%n", names);
            System.out.printf("retained heap before: %,d bytes%n", before);
            System.out.printf("retained heap after:  %,d bytes (delta %+,d bytes, %.3f bytes per name)%n",
                    after, after - before, (after - before) / (double) names);
            System.out.printf("baseline keeping each name string: delta %+,d bytes (%.1f bytes per name)%n",
                    withBaseline - after, (withBaseline - after) / (double) names);
            if (baseline.length != names) {
                throw new IllegalStateException();
            }
        }
    }

    private static void warmUp(LockManager locks) {
        for (int i = 0; i < 10_000; i++) {
            locks.acquire("warm:" + i).release();
        }
    }

    private static long retainedBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 64 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
