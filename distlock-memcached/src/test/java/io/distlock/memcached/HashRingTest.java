package io.distlock.memcached;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Consistent hashing: the same placement everywhere, spread over every server, few names moved by a new one. */
class HashRingTest {
    private static HashRing<String> ring(String... labels) {
        Map<String, String> nodes = new LinkedHashMap<>();
        for (String label : labels) {
            nodes.put(label, label);
        }
        return new HashRing<>(nodes);
    }

    @Test
    void placementDependsOnTheServersNotOnTheirOrder() {
        HashRing<String> one = ring("a:11211", "b:11211", "c:11211");
        HashRing<String> other = ring("c:11211", "a:11211", "b:11211");
        for (int i = 0; i < 2000; i++) {
            assertThat(other.nodeFor("key-" + i)).isEqualTo(one.nodeFor("key-" + i));
        }
    }

    @Test
    void namesSpreadOverEveryServerAndAThirdServerMovesAboutAThird() {
        HashRing<String> two = ring("a:11211", "b:11211");
        HashRing<String> three = ring("a:11211", "b:11211", "c:11211");
        Map<String, Integer> counts = new HashMap<>();
        int moved = 0;
        int total = 10_000;
        for (int i = 0; i < total; i++) {
            String key = "distlock:l:name-" + i;
            String before = two.nodeFor(key);
            String after = three.nodeFor(key);
            counts.merge(after, 1, Integer::sum);
            if (!before.equals(after)) {
                moved++;
                assertThat(after).as("a name only ever moves to the new server").isEqualTo("c:11211");
            }
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder("a:11211", "b:11211", "c:11211");
        assertThat(counts.values()).allMatch(n -> n > total / 6);
        assertThat(moved).isBetween(total / 6, total / 2);
        assertThat(three.nodes()).hasSize(3);
    }

    @Test
    void theSameKeyOnTheSameServersAlwaysLandsOnTheSameServer() {
        // Fixed (these were computed by an independent implementation of the ring's rule), so that
        // clients of different versions and languages agree on where a name lives.
        HashRing<String> ring = ring("10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("distlock:l:job", "10.0.0.2:11211");
        expected.put("distlock:l:order%3A1", "10.0.0.3:11211");
        expected.put("distlock:l:order%3A2", "10.0.0.3:11211");
        expected.put("distlock:l:order%3A3", "10.0.0.1:11211");
        expected.put("distlock:l:nightly", "10.0.0.1:11211");
        expected.forEach((key, server) -> assertThat(ring.nodeFor(key)).as(key).isEqualTo(server));
    }
}
