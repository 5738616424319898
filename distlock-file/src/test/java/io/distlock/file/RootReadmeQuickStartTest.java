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
 * The root README's quick start, compiled and run, so it cannot drift from the code. It opens
 * {@code file:}, which only this module provides. Keep it in step with README.md.
 */
class RootReadmeQuickStartTest {
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
