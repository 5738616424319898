package io.distlock.jdbc;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.AcquireRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lock names are keys of one UTF-8 column, in which every unpaired surrogate would read as '?': so
 * the engine refuses such names before any SQL backend sees them, and "?" stays a lock of its own.
 */
class H2NamesTest {
    @Test
    void holdingQuestionMark_aNameWithAnUnpairedSurrogateIsRefusedNotBusy() {
        try (LockManager locks = LockManager.builder(JdbcLockBackend.open("jdbc:h2:mem:names-" + System.nanoTime()
                + ";DB_CLOSE_DELAY=-1")).build();
             Lock question = locks.acquire("?", LockOptions.tryOnce())) {
            for (String lone : List.of("\uD800", "\uDFFF")) {
                assertThatThrownBy(() -> locks.tryAcquire(lone)).as("tryAcquire U+%04X", (int) lone.charAt(0))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 0")
                        .hasMessageNotContaining(lone);
                assertThatThrownBy(() -> locks.inspect(lone)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("index 0");
                assertThatThrownBy(() -> locks.forceRelease(lone)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("index 0");
            }
            assertThat(question.isHeld()).isTrue();
            assertThat(locks.tryAcquire("\uD83D\uDD12")).as("a well-formed pair is a name like any other").isPresent()
                    .hasValueSatisfying(Lock::release);
        }
    }

    @Test
    void calledPastTheEngine_theBackendRefusesANameItsColumnWouldReadAsQuestionMark() {
        try (JdbcLockBackend backend = JdbcLockBackend.open("jdbc:h2:mem:direct-names-" + System.nanoTime()
                + ";DB_CLOSE_DELAY=-1")) {
            assertThat(backend.tryAcquire(request("?", "question")).isAcquired()).isTrue();
            assertThatThrownBy(() -> backend.tryAcquire(request("\uD800", "lone")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 0");
            assertThat(backend.inspect("?"))
                    .hasValueSatisfying(info -> assertThat(info.ownerId()).isEqualTo("question"));
        }
    }

    private static AcquireRequest request(String name, String ownerId) {
        return new AcquireRequest(name, ownerId, Duration.ofSeconds(30), "host", 1, "thread", Instant.now(), false,
                AcquireRequest.DEFAULT_RETRY_INTERVAL);
    }
}
