package io.distlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.LockInfo;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AWKWARD = "a\"b\\c\nd\te\u0001f\u2028g/ü";

    private static LockInfo info(String name) {
        return new LockInfo(name, "owner-1", "host\"1", 42, "main", Instant.parse("2026-11-22T18:00:00Z"),
                Instant.parse("2026-11-22T18:00:20Z"), 7);
    }

    @Test
    void anyNameSurvivesARoundTrip() throws Exception {
        JsonNode locks = JSON.readTree(Json.locks(List.of(info(AWKWARD), info("plain"))));
        assertThat(locks).hasSize(2);
        assertThat(locks.get(0).get("name").asText()).isEqualTo(AWKWARD);
        assertThat(locks.get(0).get("host").asText()).isEqualTo("host\"1");
        assertThat(locks.get(0).get("pid").asLong()).isEqualTo(42);
        assertThat(locks.get(0).get("token").asLong()).isEqualTo(7);
        assertThat(locks.get(0).get("acquiredAt").asText()).isEqualTo("2026-11-22T18:00:00Z");
        assertThat(locks.get(1).get("name").asText()).isEqualTo("plain");
    }

    @Test
    void statusSaysHeldOrFree() throws Exception {
        JsonNode held = JSON.readTree(Json.status(AWKWARD, info(AWKWARD)));
        assertThat(held.get("held").asBoolean()).isTrue();
        assertThat(held.get("ownerId").asText()).isEqualTo("owner-1");
        JsonNode free = JSON.readTree(Json.status(AWKWARD, null));
        assertThat(free.get("held").asBoolean()).isFalse();
        assertThat(free.get("name").asText()).isEqualTo(AWKWARD);
    }

    @Test
    void everyCharacterATerminalActsOnIsAJsonEscape() throws Exception {
        String hostile = "h\u001b]0;x\u0007\u007f\u009b\u202e\u2066\u200f";
        String json = Json.status("n", new LockInfo("n", "o", hostile, 1, hostile, null, null, 1));
        assertThat(json).contains("h\\u001b]0;x\\u0007\\u007f\\u009b\\u202e\\u2066\\u200f")
                .doesNotContain("\u001b", "\u0007", "\u007f", "\u009b", "\u202e", "\u2066", "\u200f");
        assertThat(JSON.readTree(json).get("host").asText()).isEqualTo(hostile);
        assertThat(JSON.readTree(json).get("thread").asText()).isEqualTo(hostile);
    }

    @Test
    void missingTimesAreNull() throws Exception {
        LockInfo noTimes = new LockInfo("n", "o", null, 1, null, null, null, 1);
        JsonNode lock = JSON.readTree(Json.locks(List.of(noTimes))).get(0);
        assertThat(lock.get("acquiredAt").isNull()).isTrue();
        assertThat(lock.get("host").isNull()).isTrue();
    }
}
