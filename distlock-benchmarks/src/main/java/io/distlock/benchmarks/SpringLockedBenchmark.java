package io.distlock.benchmarks;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.Locked;
import io.distlock.spring.DistlockAutoConfiguration;
import io.distlock.spring.DistributedLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the starter's interception costs: an uncontended acquire + release on the file backend
 * directly through the context's {@link LockManager} (the baseline) against the same lock taken by
 * calling a {@code @Locked} method and a SpEL {@code @DistributedLock} method of a bean through its
 * Spring class proxy. Target: the proxy adds at most 10 % to the direct cost on the file backend.
 *
 * <pre>java -jar distlock-benchmarks/target/benchmarks.jar SpringLockedBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class SpringLockedBenchmark {
    /**
     * {@code file}: the target's setting. {@code memory}: the same calls on the in-memory backend,
     * whose acquire + release is some 0.2 us, so the interception's own cost in nanoseconds shows
     * above the noise that a file backend's far larger cost hides it in.
     */
    @Param({"file", "memory"})
    public String backend;

    private Path directory;
    private AnnotationConfigApplicationContext context;
    private LockManager locks;
    private Guarded guarded;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("distlock-bench-spring");
        context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("bench",
                Map.of("distlock.uri", backend.equals("file") ? "file:" + directory : "memory:")));
        context.register(DistlockAutoConfiguration.class, Guarded.class);
        context.refresh();
        locks = context.getBean(LockManager.class);
        guarded = context.getBean(Guarded.class);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        context.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public long directBaseline() {
        try (Lock lock = locks.acquire("bench:spring")) {
            return lock.token();
        }
    }

    @Benchmark
    public long lockedThroughProxy() {
        return guarded.locked();
    }

    @Benchmark
    public long spelThroughProxy() {
        return guarded.spel("spring");
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
