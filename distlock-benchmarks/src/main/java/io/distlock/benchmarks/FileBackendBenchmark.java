package io.distlock.benchmarks;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.file.FileLockBackend;
import io.distlock.memory.InMemoryLockBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Uncontended acquire + release in one JVM, through a {@link LockManager}:
 * the file backend, against two baselines measured in the same run: the in-memory backend (the
 * engine's own cost) and a bare {@code FileChannel.lock()} + {@code release()} on one open file
 * (the cheapest OS file lock there is, which cannot express leases, tokens or names).
 *
 * <pre>java -jar distlock-benchmarks/target/benchmarks.jar FileBackendBenchmark</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class FileBackendBenchmark {
    private Path directory;
    private LockManager fileLocks;
    private LockManager memoryLocks;
    private FileChannel rawChannel;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("distlock-bench");
        fileLocks = LockManager.builder(FileLockBackend.builder().directory(directory).build()).build();
        memoryLocks = LockManager.builder(InMemoryLockBackend.create()).build();
        rawChannel = FileChannel.open(directory.resolve("raw.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        fileLocks.close();
        memoryLocks.close();
        rawChannel.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public long fileBackend() {
        try (Lock lock = fileLocks.acquire("bench:uncontended")) {
            return lock.token();
        }
    }

    @Benchmark
    public long inMemoryBaseline() {
        try (Lock lock = memoryLocks.acquire("bench:uncontended")) {
            return lock.token();
        }
    }

    @Benchmark
    public boolean rawFileLockBaseline() throws IOException {
        FileLock lock = rawChannel.lock();
        boolean valid = lock.isValid();
        lock.release();
        return valid;
    }
}
