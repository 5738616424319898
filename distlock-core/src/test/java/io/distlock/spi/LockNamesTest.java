package io.distlock.spi;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockNamesTest {
    @Test
    void theBytesOfAWellFormedNameAreItsUtf8() {
        Random random = new Random(22);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int j = random.nextInt(20); j > 0; j--) {
                int cp = random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10ffff);
                if (cp < 0xd800 || cp > 0xdfff) {
                    name.appendCodePoint(cp);
                }
            }
            String valid = name.toString();
            assertThat(LockNames.unpairedSurrogate(valid)).isEqualTo(-1);
            assertThat(LockNames.bytes(valid)).isEqualTo(valid.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anUnpairedSurrogateKeepsItsOwnBytes() {
        assertThat(LockNames.bytes("\uD800")).containsExactly(0xed, 0xa0, 0x80);
        assertThat(LockNames.bytes("\uDC00x")).containsExactly(0xed, 0xb0, 0x80, 'x');
        Map<String, String> seen = new HashMap<>();
        for (String name : List.of("?", "\uD800", "\uDC00", "\uDC00\uD800", "\uD800\uDC00", "a\uD800", "a?")) {
            String previous = seen.put(HexFormat.of().formatHex(LockNames.bytes(name)), name);
            assertThat(previous).as("bytes of %s", Printable.of(name)).isNull();
        }
    }

    @Test
    void requireWellFormedNamesTheUnpairedSurrogate() {
        assertThat(LockNames.requireWellFormed("ok \uD83D\uDD12")).isEqualTo("ok \uD83D\uDD12");
        assertThat(LockNames.unpairedSurrogate("ab\uDC00")).isEqualTo(2);
        assertThatThrownBy(() -> LockNames.requireWellFormed("ab\uD800"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+D800").hasMessageContaining("index 2");
    }

    @Test
    void percentEncodingEscapesAllButTheUnreservedAndStopsAtTheRoom() {
        byte[] bytes = "a:b %/é".getBytes(StandardCharsets.UTF_8);
        assertThat(LockNames.percentEncoded(bytes, "-._~/", 100)).isEqualTo("a%3Ab%20%25/%C3%A9");
        assertThat(LockNames.percentEncoded(bytes, "%", 100)).as("% is never kept").contains("%25");
        assertThat(LockNames.percentEncoded(bytes, "", 20)).isEqualTo("a%3Ab%20%25%2F%C3%A9");
        assertThat(LockNames.percentEncoded(bytes, "-._~/", 18)).isEqualTo("a%3Ab%20%25/%C3%A9");
        assertThat(LockNames.percentEncoded(bytes, "-._~/", 17)).isNull();
        assertThat(LockNames.percentEncoded(new byte[0], "", 0)).isEmpty();
    }

    @Test
    void sha256IsTheStandardDigest() {
        assertThat(HexFormat.of().formatHex(LockNames.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
