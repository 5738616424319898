package io.distlock.spi;

import io.distlock.LockConflictException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PrintableTest {
    /** A terminal title change, a bell, a screen wipe, the one-byte CSI, a right-to-left override. */
    static final String HOSTILE = "db1\u001b]0;PWNED\u0007\u001b[2J\u009b31m\u202eevil";

    @Test
    void everyControlCharacterBecomesAVisibleEscape() {
        assertThat(Printable.of(HOSTILE)).isEqualTo("db1\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m\\u202eevil");
        assertThat(Printable.of("a\tb\nc\rd\u0000e\u007f")).isEqualTo("a\\x09b\\x0ac\\x0dd\\x00e\\x7f");
        assertThat(Printable.of("\u2028\u2029\u061c\u200e\u200f\u202a\u202d\u2066\u2069"))
                .isEqualTo("\\u2028\\u2029\\u061c\\u200e\\u200f\\u202a\\u202d\\u2066\\u2069");
    }

    @Test
    void everyCharacterOfTheRangesIsUnsafeAndTheirNeighboursAreNot() {
        int[][] unsafe = {{0x00, 0x1f}, {0x7f, 0x9f}, {0x2028, 0x2029}, {0x202a, 0x202e}, {0x2066, 0x2069},
                {0x061c, 0x061c}, {0x200e, 0x200f}};
        for (int[] range : unsafe) {
            for (int c = range[0]; c <= range[1]; c++) {
                assertThat(Printable.isUnsafe((char) c)).as("U+%04X", c).isTrue();
                assertThat(Printable.of(String.valueOf((char) c))).as("U+%04X", c).startsWith("\\").hasSizeGreaterThan(3);
            }
        }
        for (char c : new char[] {' ', '~', '\u00a0', '\u00e9', '\u2027', '\u202f', '\u2065', '\u206a', '\u200d'}) {
            assertThat(Printable.isUnsafe(c)).as("U+%04X", (int) c).isFalse();
        }
    }

    @Test
    void backslashesAreDoubledSoTheOutputIsUnambiguous() {
        assertThat(Printable.of("\\x1b")).isEqualTo("\\\\x1b");
        assertThat(Printable.of("\u001b")).isEqualTo("\\x1b");
        assertThat(Printable.of("C:\\temp")).isEqualTo("C:\\\\temp");
    }

    @Test
    void unpairedSurrogatesAreEscapedAndPairsKept() {
        assertThat(Printable.of("a\ud800b")).isEqualTo("a\\ud800b");
        assertThat(Printable.of("x\udc00")).isEqualTo("x\\udc00");
        assertThat(Printable.of("\ud83d\ude00\u001b")).isEqualTo("\ud83d\ude00\\x1b");
        assertThat(Printable.of("\ud83d\ude00")).isEqualTo("\ud83d\ude00");
    }

    @Test
    void plainTextAndNullComeBackAsTheyAre() {
        String plain = "host db1.example.com pid 4242 thread main, \u00e9t\u00e9 \u65e5\u672c";
        assertThat(Printable.of(plain)).isSameAs(plain);
        assertThat(Printable.of(null)).isNull();
        assertThat(Printable.of("")).isEmpty();
    }

    /** The engine's busy messages name the holder; a hostile holder record must not reach a log raw. */
    @Test
    void theEnginesTimeoutAndConflictMessagesShowAHostileHolderEscaped() {
        InMemoryLockBackend backend = InMemoryLockBackend.create();
        AcquireResult written = backend.tryAcquire(new AcquireRequest("job", "hostile-owner", Duration.ofMinutes(5),
                HOSTILE, 4242, "worker\u001b[8m", Instant.now()));
        assertThat(written.isAcquired()).isTrue();
        try (LockManager locks = LockManager.builder(backend).build()) {
            LockTimeoutException busy = catchThrowableOfType(
                    () -> locks.acquire("job", LockOptions.builder().timeout(Duration.ZERO).build()),
                    LockTimeoutException.class);
            assertThat(busy.getMessage()).contains("host db1\\x1b]0;PWNED\\x07", "thread worker\\x1b[8m");
            assertNoControlCharacter(busy.getMessage());
            assertThat(busy.holder()).as("the holder itself stays as the backend gave it")
                    .hasValueSatisfying(h -> assertThat(h.host()).isEqualTo(HOSTILE));

            LockConflictException conflict = catchThrowableOfType(
                    () -> locks.acquire("job", LockOptions.builder().conflictMode().build()),
                    LockConflictException.class);
            assertNoControlCharacter(conflict.getMessage());
        }
    }

    static void assertNoControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            assertThat(Printable.isUnsafe(text.charAt(i))).as("U+%04X at %d in %s", (int) text.charAt(i), i, text)
                    .isFalse();
        }
    }
}
