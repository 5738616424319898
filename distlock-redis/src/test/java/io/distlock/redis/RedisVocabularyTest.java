package io.distlock.redis;

import io.distlock.testkit.Stderr;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vocabulary (docs/lock-contract.md, "Vocabulary"): the builder's {@code timeout}, as the
 * URI's; the old {@code commandTimeout} still works, with one warning per backend; both with
 * different values are refused. Settings only: {@code build()} reads them the same way, then connects.
 */
class RedisVocabularyTest {
    private static final String URI = "redis://127.0.0.1:6399?connectTimeout=3s&namespace=words";

    @Test
    void theNewWordWorksWithoutAWarning() {
        AtomicReference<RedisSettings> read = new AtomicReference<>();
        String log = Stderr.of(() -> read.set(RedisLockBackend.builder(URI).timeout(Duration.ofMillis(750)).settings()));
        assertThat(read.get().commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(read.get().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(read.get().namespace()).isEqualTo("words");
        assertThat(read.get().redisUris().get(0).getTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(log).doesNotContain("deprecated");

        log = Stderr.of(() -> read.set(RedisLockBackend.builder(URI + "&timeout=750ms").settings()));
        assertThat(read.get().commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(log).doesNotContain("deprecated");
    }

    @Test
    @SuppressWarnings("removal")
    void theOldWordWorksAndWarnsOncePerBackend() {
        AtomicReference<RedisSettings> read = new AtomicReference<>();
        String log = Stderr.of(() -> read.set(RedisLockBackend.builder(URI).commandTimeout(Duration.ofMillis(750))
                .settings()));
        assertThat(read.get().commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(log.lines().filter(line -> line.contains("commandTimeout is deprecated, use timeout")))
                .singleElement().asString().contains("WARN").contains("redis://127.0.0.1:6399");
    }

    @Test
    @SuppressWarnings("removal")
    void bothWordsWithDifferentValuesAreRefused() {
        assertThatThrownBy(() -> RedisLockBackend.builder(URI).timeout(Duration.ofSeconds(1))
                .commandTimeout(Duration.ofSeconds(2)).settings())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        assertThatThrownBy(() -> RedisLockBackend.builder(URI).commandTimeout(Duration.ofSeconds(2))
                .timeout(Duration.ofSeconds(1)).build())
                .as("in either order, and before connecting").isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        assertThat(RedisLockBackend.builder(URI).commandTimeout(Duration.ofSeconds(2)).timeout(Duration.ofSeconds(2))
                .settings().commandTimeout()).as("the same value twice").isEqualTo(Duration.ofSeconds(2));
    }
}
