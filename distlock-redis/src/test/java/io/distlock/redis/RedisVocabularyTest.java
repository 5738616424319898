package io.distlock.redis;

import io.distlock.LockBackendException;
import io.distlock.testkit.Stderr;
import io.distlock.testkit.server.RedisServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vocabulary (docs/lock-contract.md, "Vocabulary"): the builder's {@code timeout}, as the
 * URI's; the old {@code commandTimeout} still works, with one warning per backend; both with
 * different values are refused. The builder's words are observed as a user would: the timeout by
 * the message of an operation the frozen server does not answer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisVocabularyTest {
    private static ServerProcess redis;

    @BeforeAll
    static void start() {
        redis = RedisServers.start();
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static String uri() {
        return "redis://127.0.0.1:" + redis.port() + "?connectTimeout=3s&namespace=words";
    }

    /**
     * The timeout the backend's commands run with: named by an inspect the frozen server leaves
     * unanswered (by distlock's deadline, or by Lettuce's command timeout, which is the same).
     */
    private static void assertTimeout(RedisLockBackend backend, Duration expected) {
        redis.freeze();
        try {
            assertThatThrownBy(() -> backend.inspect("unanswered")).isInstanceOf(LockBackendException.class)
                    .message().containsAnyOf("within " + expected + " (the timeout parameter)",
                            "timed out after " + expected.toMillis() + " millisecond");
        } finally {
            redis.thaw();
        }
    }

    @Test
    void theNewWordWorksWithoutAWarning() {
        String log = Stderr.of(() -> {
            try (RedisLockBackend backend = RedisLockBackend.builder(uri()).timeout(Duration.ofMillis(750)).build()) {
                assertTimeout(backend, Duration.ofMillis(750));
            }
        });
        assertThat(log).doesNotContain("deprecated");

        RedisSettings read = RedisSettings.parse(uri() + "&timeout=750ms", new RedisSettings.Overrides());
        assertThat(read.commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(read.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(read.namespace()).isEqualTo("words");
        assertThat(read.redisUris().get(0).getTimeout()).isEqualTo(Duration.ofMillis(750));
        log = Stderr.of(() -> {
            try (RedisLockBackend backend = RedisLockBackend.builder(uri() + "&timeout=750ms").build()) {
                assertTimeout(backend, Duration.ofMillis(750));
            }
        });
        assertThat(log).doesNotContain("deprecated");
    }

    @Test
    @SuppressWarnings("removal")
    void theOldWordWorksAndWarnsOncePerBackend() {
        String log = Stderr.of(() -> {
            try (RedisLockBackend backend = RedisLockBackend.builder(uri()).commandTimeout(Duration.ofMillis(750)).build()) {
                assertTimeout(backend, Duration.ofMillis(750));
            }
        });
        assertThat(log.lines().filter(line -> line.contains("commandTimeout is deprecated, use timeout")))
                .singleElement().asString().contains("WARN").contains("redis://127.0.0.1:" + redis.port());
    }

    @Test
    @SuppressWarnings("removal")
    void bothWordsWithDifferentValuesAreRefused() {
        assertThatThrownBy(() -> RedisLockBackend.builder(uri()).timeout(Duration.ofSeconds(1))
                .commandTimeout(Duration.ofSeconds(2)).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        assertThatThrownBy(() -> RedisLockBackend.builder(uri()).commandTimeout(Duration.ofSeconds(2))
                .timeout(Duration.ofSeconds(1)).build())
                .as("in either order, and before connecting").isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        try (RedisLockBackend backend = RedisLockBackend.builder(uri()).commandTimeout(Duration.ofSeconds(2))
                .timeout(Duration.ofSeconds(2)).build()) {
            assertTimeout(backend, Duration.ofSeconds(2));
        }
    }
}
