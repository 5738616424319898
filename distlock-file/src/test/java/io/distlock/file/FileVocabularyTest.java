package io.distlock.file;

import io.distlock.LockBackends;
import io.distlock.testkit.Stderr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vocabulary (docs/lock-contract.md, "Vocabulary"): {@code timeout} and {@code notifications}
 * in the builder and the URI; the old {@code operationTimeout} and {@code releaseNotifications}
 * still work, with one warning per backend; both words with different values are refused.
 */
class FileVocabularyTest {
    @TempDir
    Path directory;

    @Test
    void theNewWordsWorkWithoutAWarning() {
        AtomicReference<FileLockBackend> built = new AtomicReference<>();
        String log = Stderr.of(() -> built.set(FileLockBackend.builder().directory(directory)
                .timeout(Duration.ofMillis(750)).notifications(false).build()));
        try (FileLockBackend backend = built.get()) {
            assertThat(backend.timeout()).isEqualTo(Duration.ofMillis(750));
            assertThat(backend.notifications()).isFalse();
        }
        assertThat(log).doesNotContain("deprecated");

        log = Stderr.of(() -> built.set((FileLockBackend) LockBackends.open("file:" + directory
                + "?timeout=750ms&notifications=false")));
        try (FileLockBackend backend = built.get()) {
            assertThat(backend.timeout()).isEqualTo(Duration.ofMillis(750));
            assertThat(backend.notifications()).isFalse();
        }
        assertThat(log).doesNotContain("deprecated");
    }

    @Test
    @SuppressWarnings("removal")
    void theOldWordsWorkAndWarnOncePerBackend() {
        AtomicReference<FileLockBackend> built = new AtomicReference<>();
        String log = Stderr.of(() -> built.set(FileLockBackend.builder().directory(directory)
                .operationTimeout(Duration.ofMillis(750)).releaseNotifications(false).build()));
        try (FileLockBackend backend = built.get()) {
            assertThat(backend.timeout()).isEqualTo(Duration.ofMillis(750));
            assertThat(backend.notifications()).isFalse();
        }
        assertWarnsOnce(log);

        log = Stderr.of(() -> built.set((FileLockBackend) LockBackends.open("file:" + directory
                + "?operationTimeout=750ms&releaseNotifications=false")));
        try (FileLockBackend backend = built.get()) {
            assertThat(backend.timeout()).isEqualTo(Duration.ofMillis(750));
            assertThat(backend.notifications()).isFalse();
            assertThat(Stderr.of(() -> backend.describe())).as("nothing more while it is used").isEmpty();
        }
        assertWarnsOnce(log);
    }

    @Test
    @SuppressWarnings("removal")
    void bothWordsWithDifferentValuesAreRefused() {
        assertThatThrownBy(() -> FileLockBackend.builder().directory(directory)
                .timeout(Duration.ofSeconds(1)).operationTimeout(Duration.ofSeconds(2)).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operationTimeout 2s").hasMessageContaining("timeout 1s");
        assertThatThrownBy(() -> FileLockBackend.builder().directory(directory)
                .releaseNotifications(true).notifications(false).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("releaseNotifications true").hasMessageContaining("notifications false");
        assertThatThrownBy(() -> LockBackends.open("file:" + directory + "?timeout=1s&operationTimeout=2s"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operationTimeout=2s").hasMessageContaining("timeout=1s")
                .hasMessageContaining(directory.toString());
        assertThatThrownBy(() -> LockBackends.open("file:" + directory + "?notifications=true&releaseNotifications=false"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("releaseNotifications=false").hasMessageContaining("notifications=true");

        // The same value under both words is one setting said twice: accepted, with the warning.
        AtomicReference<FileLockBackend> built = new AtomicReference<>();
        String log = Stderr.of(() -> built.set((FileLockBackend) LockBackends.open("file:" + directory
                + "?timeout=2s&operationTimeout=2000ms")));
        try (FileLockBackend backend = built.get()) {
            assertThat(backend.timeout()).isEqualTo(Duration.ofSeconds(2));
        }
        assertThat(log).contains("operationTimeout is deprecated, use timeout");
    }

    private static void assertWarnsOnce(String log) {
        assertThat(log.lines().filter(line -> line.contains("operationTimeout is deprecated, use timeout")))
                .singleElement().asString().contains("WARN");
        assertThat(log.lines().filter(line -> line.contains("releaseNotifications is deprecated, use notifications")))
                .singleElement().asString().contains("WARN");
    }
}
