package io.distlock.zookeeper;

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
class ZooKeeperVocabularyTest {
    private static final String URI = "zookeeper://127.0.0.1:2199/apps?connectTimeout=3s&namespace=words";

    @Test
    void theNewWordWorksWithoutAWarning() {
        AtomicReference<ZooKeeperSettings> read = new AtomicReference<>();
        String log = Stderr.of(() -> read.set(ZooKeeperLockBackend.builder(URI).timeout(Duration.ofMillis(750)).settings()));
        assertThat(read.get().commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(read.get().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(read.get().namespace()).isEqualTo("words");
        assertThat(log).doesNotContain("deprecated");

        log = Stderr.of(() -> read.set(ZooKeeperLockBackend.builder(URI + "&timeout=750ms").settings()));
        assertThat(read.get().commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(log).doesNotContain("deprecated");
    }

    @Test
    @SuppressWarnings("removal")
    void theOldWordWorksAndWarnsOncePerBackend() {
        AtomicReference<ZooKeeperSettings> read = new AtomicReference<>();
        String log = Stderr.of(() -> read.set(ZooKeeperLockBackend.builder(URI).commandTimeout(Duration.ofMillis(750))
                .settings()));
        assertThat(read.get().commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(log.lines().filter(line -> line.contains("commandTimeout is deprecated, use timeout")))
                .singleElement().asString().contains("WARN").contains("zookeeper://127.0.0.1:2199/apps");
    }

    @Test
    @SuppressWarnings("removal")
    void bothWordsWithDifferentValuesAreRefused() {
        assertThatThrownBy(() -> ZooKeeperLockBackend.builder(URI).timeout(Duration.ofSeconds(1))
                .commandTimeout(Duration.ofSeconds(2)).settings())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        assertThatThrownBy(() -> ZooKeeperLockBackend.builder(URI).commandTimeout(Duration.ofSeconds(2))
                .timeout(Duration.ofSeconds(1)).build())
                .as("in either order, and before connecting").isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        assertThat(ZooKeeperLockBackend.builder(URI).commandTimeout(Duration.ofSeconds(2)).timeout(Duration.ofSeconds(2))
                .settings().commandTimeout()).as("the same value twice").isEqualTo(Duration.ofSeconds(2));
    }
}
