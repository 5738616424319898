package io.distlock;

import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract's wait is spelled {@code waitTime} in Java (every object's {@code wait()} owns the
 * word); {@code timeout}, its old name, is still read until 0.2 and means the same.
 */
@SuppressWarnings("removal")
class WaitTimeWordTest {
    private final LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build();

    @AfterEach
    void close() {
        locks.close();
    }

    @Test
    void optionsReadTheWaitUnderBothNames() {
        LockOptions current = LockOptions.builder().waitTime(Duration.ofSeconds(5)).build();
        LockOptions old = LockOptions.builder().timeout(Duration.ofSeconds(5)).build();
        assertThat(current.waitTime()).contains(Duration.ofSeconds(5));
        assertThat(old.waitTime()).contains(Duration.ofSeconds(5));
        assertThat(old.timeout()).contains(Duration.ofSeconds(5));
        assertThat(current.toString()).contains("waitTime=PT5S");
        assertThat(LockOptions.tryOnce().waitTime()).contains(Duration.ZERO);
    }

    @Test
    void badWaitIsRefusedNamingTheWord() {
        assertThatThrownBy(() -> LockOptions.builder().waitTime(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waitTime");
        assertThatThrownBy(() -> LockOptions.builder().waitTime(Duration.ofSeconds(1)).conflictMode().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waitTime of PT1S");
    }

    @Test
    void managerDefaultWaitUnderEitherNameIsTheWaitOfACallWithoutOne() {
        for (LockManager.Builder builder : new LockManager.Builder[] {
                LockManager.builder(InMemoryLockBackend.create()).defaultWaitTime(Duration.ZERO),
                LockManager.builder(InMemoryLockBackend.create()).defaultTimeout(Duration.ZERO)}) {
            try (LockManager manager = builder.build(); Lock held = manager.acquire("busy")) {
                assertThat(held.isHeld()).isTrue();
                assertThatThrownBy(() -> manager.acquire("busy"))
                        .isInstanceOf(LockTimeoutException.class).hasMessageContaining("busy");
            }
        }
    }

    interface Jobs {
        @Locked(value = "job-new", waitTime = "0")
        void current();

        @Locked(value = "job-old", timeout = "0")
        void old();

        @Locked(value = "job-same", waitTime = "PT1S", timeout = "1s")
        void sameUnderBothNames();
    }

    interface Clashing {
        @Locked(value = "job-clash", waitTime = "1s", timeout = "5s")
        void work();
    }

    @Test
    void annotationReadsTheWaitUnderEitherName() {
        Jobs jobs = locks.proxy(Jobs.class, new Jobs() {
            @Override
            public void current() {
            }

            @Override
            public void old() {
            }

            @Override
            public void sameUnderBothNames() {
            }
        });
        for (String name : new String[] {"job-new", "job-old"}) {
            try (Lock held = locks.acquire(name)) {
                assertThat(held.isHeld()).isTrue();
                Runnable call = name.equals("job-new") ? jobs::current : jobs::old;
                assertThatThrownBy(call::run).isInstanceOf(LockTimeoutException.class).hasMessageContaining(name);
            }
        }
        jobs.sameUnderBothNames();
    }

    @Test
    void annotationWithTwoDifferentWaitsIsRefusedNamingBoth() {
        assertThatThrownBy(() -> locks.proxy(Clashing.class, () -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("waitTime = \"1s\"").hasMessageContaining("timeout = \"5s\"");
    }
}
