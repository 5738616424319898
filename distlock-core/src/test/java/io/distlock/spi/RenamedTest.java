package io.distlock.spi;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A setting under its vocabulary word and its deprecated one. */
class RenamedTest {
    @Test
    void theNewWordWinsNothingIsLoggedAndTheFallbackFillsIn() {
        String log = stderrOf(() -> {
            assertThat(new Renamed<Duration>("timeout", "operationTimeout").set(Duration.ofSeconds(1))
                    .resolve(Duration.ofSeconds(5), RenamedTest.class, "here")).isEqualTo(Duration.ofSeconds(1));
            assertThat(new Renamed<Duration>("timeout", "operationTimeout")
                    .resolve(Duration.ofSeconds(5), RenamedTest.class, "here")).isEqualTo(Duration.ofSeconds(5));
        });
        assertThat(log).isEmpty();
    }

    @Test
    void theOldWordWorksAndLogsOneWarningNamingBothWords() {
        Renamed<Boolean> notifications = new Renamed<Boolean>("notifications", "releaseNotifications").setOld(false);
        String log = stderrOf(() -> assertThat(notifications.resolve(true, RenamedTest.class, "file backend /x")).isFalse());
        assertThat(log.lines()).singleElement().asString().contains("WARN").contains(RenamedTest.class.getName())
                .contains("file backend /x: releaseNotifications is deprecated, use notifications");
    }

    @Test
    void bothWordsWithDifferentValuesAreRefusedNamingBoth_theSameValueIsNot() {
        assertThatThrownBy(() -> new Renamed<Duration>("timeout", "commandTimeout").set(Duration.ofSeconds(1))
                .setOld(Duration.ofMillis(1500)).resolve(null, RenamedTest.class, "redis://h"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("redis://h: commandTimeout 1500ms and timeout 1s are one setting with two values "
                        + "(commandTimeout is the deprecated name of timeout; give only timeout)");
        assertThat(new Renamed<Duration>("timeout", "commandTimeout").set(Duration.ofSeconds(1))
                .setOld(Duration.ofMillis(1000)).resolve(null, RenamedTest.class, "redis://h"))
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fromAUriTheClashNamesTheUriMasked() {
        BackendUri uri = BackendUri.parse("x://user:s3cret@h?timeout=1s&operationTimeout=2s", Set.of("x"));
        assertThatThrownBy(() -> new Renamed<Duration>("timeout", "operationTimeout")
                .from(uri, name -> uri.positiveDuration(name, null)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operationTimeout=2s and timeout=1s").hasMessageContaining("give only timeout")
                .hasMessageNotContaining("s3cret");
        BackendUri old = BackendUri.parse("x://h?operationTimeout=2s", Set.of("x"));
        Renamed<Duration> read = new Renamed<Duration>("timeout", "operationTimeout")
                .from(old, name -> old.positiveDuration(name, null));
        assertThat(stderrOf(() -> assertThat(read.resolve(null, RenamedTest.class, old.masked()))
                .isEqualTo(Duration.ofSeconds(2)))).contains("operationTimeout is deprecated, use timeout");
    }

    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }
}
