package io.distlock.spring;

import io.distlock.LockManager;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Same key: one at a time; another key: at the same time. Latches, no sleeps. */
final class Exclusion {
    interface Call {
        void run(String id, CountDownLatch entered, CountDownLatch proceed) throws Exception;
    }

    private Exclusion() {
    }

    static void check(Accounts accounts, LockManager locks, String prefix, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch enteredA = new CountDownLatch(1);
            CountDownLatch proceedA = new CountDownLatch(1);
            CountDownLatch enteredB = new CountDownLatch(1);
            CountDownLatch proceedB = new CountDownLatch(1);
            CountDownLatch enteredC = new CountDownLatch(1);
            CountDownLatch proceedC = new CountDownLatch(1);
            Future<?> a = pool.submit(() -> {
                call.run("1", enteredA, proceedA);
                return null;
            });
            assertThat(enteredA.await(30, TimeUnit.SECONDS)).as("first caller of key 1 entered").isTrue();
            assertThat(locks.inspect(prefix + "1")).as("held under the key's name").isPresent();
            Future<?> b = pool.submit(() -> {
                call.run("1", enteredB, proceedB);
                return null;
            });
            Future<?> c = pool.submit(() -> {
                call.run("2", enteredC, proceedC);
                return null;
            });
            assertThat(enteredC.await(30, TimeUnit.SECONDS)).as("key 2 runs while key 1 is held").isTrue();
            // A bounded look for something that must not happen: the second caller of key 1 stays out.
            assertThat(enteredB.await(300, TimeUnit.MILLISECONDS)).as("key 1's second caller waits").isFalse();
            proceedA.countDown();
            assertThat(enteredB.await(30, TimeUnit.SECONDS)).as("key 1's second caller runs after the first").isTrue();
            proceedB.countDown();
            proceedC.countDown();
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
            c.get(30, TimeUnit.SECONDS);
            assertThat(accounts.mostInside(prefix + "1")).isEqualTo(1);
            assertThat(locks.list(prefix)).as("all released").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }
}
