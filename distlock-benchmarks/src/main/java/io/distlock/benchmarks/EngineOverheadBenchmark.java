package io.distlock.benchmarks;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.memory.InMemoryLockBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's own cost: an uncontended acquire+release on the in-memory backend, against a
 * {@link ReentrantLock} lock/unlock measured in the same run.
 *
 * <pre>java -jar distlock-benchmarks/target/benchmarks.jar EngineOverhead</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-Xmx1g")
public class EngineOverheadBenchmark {
    private LockManager locks;
    private final ReentrantLock baseline = new ReentrantLock();
    private final LockOptions tryOnce = LockOptions.tryOnce();

    @Setup
    public void setUp() {
        locks = LockManager.builder(InMemoryLockBackend.create()).build();
    }

    @TearDown
    public void tearDown() {
        locks.close();
    }

    @Benchmark
    public long baselineReentrantLock() {
        baseline.lock();
        try {
            return baseline.getHoldCount();
        } finally {
            baseline.unlock();
        }
    }

    /**
     * One monotonic clock read: the unit of the floor. An acquire+release reads the clock three
     * times (the engine before the request, the backend's expiry check on acquire and on release).
     */
    @Benchmark
    public long clockNanoTime() {
        return System.nanoTime();
    }

    /** The default call: waits up to 10 s if busy (it never is here). */
    @Benchmark
    public long distlockAcquireRelease() {
        try (Lock lock = locks.acquire("bench")) {
            return lock.token();
        }
    }

    @Benchmark
    public long distlockTryOnce() {
        try (Lock lock = locks.acquire("bench", tryOnce)) {
            return lock.token();
        }
    }
}
