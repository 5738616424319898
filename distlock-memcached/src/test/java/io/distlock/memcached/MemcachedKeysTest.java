package io.distlock.memcached;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The name-to-key mapping: memcached's rules for every name, injective, deterministic, namespaced. */
class MemcachedKeysTest {
    private static List<String> trickyNames() {
        List<String> names = new ArrayList<>(List.of("a", "A", "a b", "a+b", "a%20b", "a%2520b", "a/b", "a:b",
                "a:l:b", ":", "%", "../../etc/passwd", "\u0000", "\n", "\r\n", "\t", "\u007f", "é", "e\u0301",
                "名前", "🔒", "\ud800\udc00", "CON", "nul", "*", "?", "[]",
                "x".repeat(1024), "x".repeat(1023), "é".repeat(512), "🔒".repeat(256), " ".repeat(1024),
                "x".repeat(240), "x".repeat(241), "x".repeat(250), "\ud800\udc00".repeat(60), "\ud800\udc00".repeat(256)));
        for (int length = 230; length <= 250; length++) {
            names.add("%".repeat(length / 3));
            names.add("y".repeat(length));
        }
        return names;
    }

    @Test
    void everyKeyFollowsMemcachedsRules() {
        for (String namespace : List.of("distlock", "a", "n".repeat(100), "app:lock")) {
            MemcachedKeys keys = new MemcachedKeys(namespace);
            for (String name : trickyNames()) {
                String lockKey = keys.lockKey(name);
                assertThat(MemcachedKeys.isValidKey(lockKey)).as("lock key of '%s': %s", name, lockKey).isTrue();
                assertThat(MemcachedKeys.isValidKey(keys.counterKey(lockKey))).as("counter of '%s'", name).isTrue();
                assertThat(lockKey.getBytes(StandardCharsets.US_ASCII)).hasSizeLessThanOrEqualTo(249);
            }
        }
    }

    @Test
    void distinctNamesAndNamespacesNeverShareAKey() {
        Map<String, String> owner = new HashMap<>();
        // Namespaces that are prefixes of each other, and one that looks like another's key.
        for (String namespace : List.of("app", "app:lock", "app:l", "app:t", "ap", "distlock")) {
            MemcachedKeys keys = new MemcachedKeys(namespace);
            for (String name : trickyNames()) {
                String lockKey = keys.lockKey(name);
                for (String key : List.of(lockKey, keys.counterKey(lockKey))) {
                    String previous = owner.putIfAbsent(key, namespace + " / " + name);
                    assertThat(previous == null || previous.equals(namespace + " / " + name))
                            .as("key %s of %s / '%s' also belongs to %s", key, namespace, name, previous).isTrue();
                }
            }
        }
    }

    @Test
    void theMappingIsFixed() {
        // The same on every host, JVM and version: changing it would let two versions hold one name at once.
        MemcachedKeys keys = new MemcachedKeys("distlock");
        assertThat(keys.lockKey("job")).isEqualTo("distlock:l:job");
        assertThat(keys.lockKey("order:42 é")).isEqualTo("distlock:l:order%3A42%20%C3%A9");
        assertThat(keys.lockKey("🔒")).isEqualTo("distlock:l:%F0%9F%94%92");
        assertThat(keys.lockKey("x".repeat(300)))
                .isEqualTo("distlock:L:0d4e2ca9e9cbced7a7a5380eb29e1a3783b9b6d0db72de36a1051038e1c1fbc7");
        assertThat(keys.counterKey("distlock:l:job")).isEqualTo("distlock:tl:job");
        assertThat(keys.counterKey("app:lock:L:abc")).isEqualTo("app:lock:tL:abc");
    }
}
