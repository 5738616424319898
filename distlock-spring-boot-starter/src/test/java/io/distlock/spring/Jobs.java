package io.distlock.spring;

import io.distlock.Locked;
import org.springframework.scheduling.annotation.Scheduled;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scheduled-style methods, called by the tests directly (the {@code @Scheduled} annotation is what
 * the starter reads; no scheduler runs here, a very long delay keeps it from firing if one did).
 */
public class Jobs {
    final AtomicInteger reportRuns = new AtomicInteger();
    final AtomicInteger coreRuns = new AtomicInteger();
    final AtomicInteger fastRuns = new AtomicInteger();

    /** Runs so far, by job (a method: the test holds the class proxy, whose fields are not the bean's). */
    public int runs(String job) {
        return switch (job) {
            case "report" -> reportRuns.get();
            case "core" -> coreRuns.get();
            case "fast" -> fastRuns.get();
            default -> throw new IllegalArgumentException("no job " + job);
        };
    }

    @Scheduled(fixedDelay = Long.MAX_VALUE / 2, initialDelay = Long.MAX_VALUE / 2)
    @DistributedLock(key = "'report'")
    public void report() {
        reportRuns.incrementAndGet();
    }

    @Scheduled(fixedDelay = Long.MAX_VALUE / 2, initialDelay = Long.MAX_VALUE / 2)
    @Locked("core-job")
    public void coreJob() {
        coreRuns.incrementAndGet();
    }

    @DistributedLock(key = "#root.targetClass.simpleName + '.' + #root.methodName + ':' + #root.args[0]")
    public String rooted(String argument) {
        return argument;
    }

    @DistributedLock(key = "'fast'", minHold = "700ms")
    public void fast() {
        fastRuns.incrementAndGet();
    }
}
