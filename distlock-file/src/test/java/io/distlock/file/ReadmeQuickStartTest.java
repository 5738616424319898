package io.distlock.file;

import io.distlock.Lock;
import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quick start of the root README.md, compiled and run, so the documentation cannot drift from
 * the code. It opens a {@code file:} URI, so it lives beside the file backend, the module that
 * puts that scheme on the class path. Keep it in step with the README.
 */
class ReadmeQuickStartTest {
    private final List<String> done = new ArrayList<>();
    private final Bank bank = (token, transfer) -> done.add("post " + transfer + " with token " + token);
    private final String transfer = "100 EUR";

    interface Bank {
        void post(long token, String transfer);
    }

    private void work() {
        done.add("work");
    }

    private void abort() {
        done.add("abort");
    }

    @Test
    void rootReadmeQuickStart(@TempDir Path dir) {
        String uri = "file:" + dir.resolve("locks");
        LockManager locks = LockManager.builder(LockBackends.open(uri)).build();

        try (Lock lock = locks.acquire("account:42")) {
            bank.post(lock.token(), transfer);
        }
        try (Lock lock = locks.acquire("job", LockOptions.tryOnce())) {
            work();
        }
        LockOptions longJob = LockOptions.builder().waitForever().lease(Duration.ofMinutes(5))
                .autoRenew(true).onLost((lock, why) -> abort()).build();
        try (Lock lock = locks.acquire("job", longJob)) {
            work();
        }
        locks.tryAcquire("job").ifPresent(lock -> { try (lock) { work(); } });
        locks.close();

        assertThat(done).hasSize(4).contains("work").doesNotContain("abort");
        assertThat(done.get(0)).startsWith("post 100 EUR with token ");
    }
}
