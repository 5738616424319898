package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.OpenRetry;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child JVM of the multi-process exclusion check:
 * {@code ExclusionWorker <backend-uri> <lock-name> <iterations> <journal-dir>}. It prints
 * {@code READY} once its manager is up and waits for a line on standard input, so the parent
 * starts every process's loop at the same moment; exits 0 when done, 1 on any failure.
 */
public final class ExclusionWorker {
    private ExclusionWorker() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String name = args[1];
        int iterations = Integer.parseInt(args[2]);
        ExclusionJournal journal = new ExclusionJournal(Path.of(args[3]));
        String who = "pid" + ProcessHandle.current().pid();
        LockOptions options = LockOptions.builder().lease(Duration.ofSeconds(30))
                .waitTime(Duration.ofSeconds(60)).retryInterval(Duration.ofMillis(5)).build();
        // A child JVM starting beside three others on a loaded host may take longer than the backend's
        // connect timeout to send its first byte: it opens as the command line does, trying again
        // while the connection fails, within its wait.
        long start = System.nanoTime();
        try (LockManager locks = LockManager.builder(OpenRetry.within(Duration.ofSeconds(60), start, () -> LockBackends.open(uri),
                failure -> System.err.println("cannot reach the backend yet: " + failure.getMessage()), () -> true)).build()) {
            System.out.println("READY");
            System.out.flush();
            if (System.in.read() < 0) {
                throw new IllegalStateException("parent closed stdin before the start signal");
            }
            for (int i = 0; i < iterations; i++) {
                Lock lock = locks.acquire(name, options);
                journal.criticalSection(who, lock.token());
                if (!lock.release()) {
                    throw new IllegalStateException("release of token " + lock.token()
                            + " found another owner: two holders overlapped");
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
