package io.distlock.jdbc;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;

import java.time.Duration;

/**
 * A child JVM of the session fault suite: {@code FrozenHolder <uri> <name> <lease-ms>} takes the lock
 * without renewal, prints {@code HELD <token>} and waits on standard input, so the parent can
 * freeze it (SIGSTOP) with its database session still open.
 */
public final class FrozenHolder {
    private FrozenHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (LockManager locks = LockManager.builder(JdbcLockBackend.open(args[0])).build()) {
            Lock lock = locks.acquire(args[1], LockOptions.builder().lease(Duration.ofMillis(Long.parseLong(args[2])))
                    .timeout(Duration.ofSeconds(30)).build());
            System.out.println("HELD " + lock.token());
            System.out.flush();
            System.in.read();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
