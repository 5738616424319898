package io.distlock.jdbc;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.Stderr;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vocabulary (docs/lock-contract.md, "Vocabulary") in a jdbc: URI: distlock's parameters keep
 * their {@code distlock.} prefix (the rest of the query is the driver's), and after it they are the
 * builder's words: {@code distlock.notifications}; the old {@code distlock.notify} still works,
 * with one warning per backend; both with different values are refused.
 */
class JdbcVocabularyTest {
    private static final String POSTGRES = "jdbc:postgresql://db/app?ssl=true&";

    @Test
    void theNewWordWorksWithoutAWarning() {
        String log = Stderr.of(() -> {
            JdbcSettings settings = JdbcSettings.parse(POSTGRES + "distlock.notifications=false", null);
            assertThat(settings.notifications()).isFalse();
            assertThat(settings.driverProperties()).containsOnlyKeys("ssl");
            assertThat(JdbcSettings.parse(POSTGRES + "distlock.notifications", null).notifications()).isTrue();
            assertThat(JdbcSettings.parse(POSTGRES + "distlock.timeout=1s", null).notifications()).isTrue();
        });
        assertThat(log).doesNotContain("deprecated");
    }

    @Test
    void theOldWordWorksAndWarnsOncePerBackend() {
        String log = Stderr.of(() -> {
            JdbcSettings settings = JdbcSettings.parse(POSTGRES + "distlock.notify=false", null);
            assertThat(settings.notifications()).isFalse();
            assertThat(settings.driverProperties()).as("never the driver's").containsOnlyKeys("ssl");
        });
        assertThat(log.lines().filter(line -> line.contains("distlock.notify is deprecated, use distlock.notifications")))
                .singleElement().asString().contains("WARN").contains("jdbc:postgresql://db/app");

        AtomicReference<LockBackend> opened = new AtomicReference<>();
        log = Stderr.of(() -> opened.set(JdbcLockBackend.open("jdbc:h2:mem:vocabulary;DB_CLOSE_DELAY=-1"
                + "?distlock.notify=false")));
        opened.get().close();
        assertThat(log.lines().filter(line -> line.contains("distlock.notify is deprecated, use distlock.notifications")))
                .as("one backend built, one warning").singleElement();
    }

    @Test
    void bothWordsWithDifferentValuesAreRefused() {
        assertThatThrownBy(() -> JdbcSettings.parse(POSTGRES + "distlock.notifications=true&distlock.notify=false", null)
                .notifications())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distlock.notify=false").hasMessageContaining("distlock.notifications=true")
                .hasMessageContaining("jdbc:postgresql://db/app");
        assertThatThrownBy(() -> JdbcLockBackend.builder("jdbc:h2:mem:vocabulary-both;DB_CLOSE_DELAY=-1"
                + "?distlock.notifications=true&distlock.notify=false").notifications(true).build())
                .as("even when the builder decides").isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distlock.notify=false");
        assertThat(JdbcSettings.parse(POSTGRES + "distlock.notifications=false&distlock.notify=FALSE", null)
                .notifications()).as("the same value twice").isFalse();
    }
}
