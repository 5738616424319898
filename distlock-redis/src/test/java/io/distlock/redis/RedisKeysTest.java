package io.distlock.redis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The name-to-key mapping, pinned: changing it would let two versions of distlock hold one name at once. */
class RedisKeysTest {
    private final RedisKeys keys = new RedisKeys("distlock", false);

    @Test
    void theKeysOfWellFormedNamesAreFixed() {
        assertThat(keys.lockKey("job")).isEqualTo("distlock/lock:job");
        assertThat(keys.lockKey("?")).isEqualTo("distlock/lock:?");
        assertThat(keys.lockKey("order:42 é")).isEqualTo("distlock/lock:order:42 é");
        assertThat(keys.lockKey("ünïcødé-名前-\uD83D\uDD12")).isEqualTo("distlock/lock:ünïcødé-名前-\uD83D\uDD12");
        assertThat(keys.lockKey("{tag}*")).isEqualTo("distlock/lock:{tag}*");
        assertThat(new RedisKeys("app:lock", true).lockKey("x")).isEqualTo("app:lock/lock:x");
    }

    @Test
    void everyKeyReadsBackAsItsName() {
        for (String name : List.of("job", "?", "a/b", "\uD83D\uDD12", "x".repeat(1024), "lock:x", "")) {
            assertThat(keys.nameOf(keys.lockKey(name))).as(name).contains(name);
        }
        assertThat(keys.nameOf("other/lock:job")).isEmpty();
        assertThat(keys.nameOf("distlock/token")).isEmpty();
    }

    @Test
    void scanPatternsTreatGlobCharactersLiterallyAndCutAHalfCharacter() {
        assertThat(keys.scanPatterns("job:*")).contains("distlock/lock:job:\\**");
        assertThat(keys.scanPatterns("a\uD83D")).contains("distlock/lock:a*");
        assertThat(keys.scanPatterns("")).contains("distlock/lock:*");
    }
}
