package io.distlock.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session strategy's name-to-key hash, pinned: every host, JVM and distlock version must agree
 * on which advisory lock a name means. The expected values were computed outside Java (Python's
 * hashlib: SHA-256 over namespace, NUL, name). A change here is a breaking change for every
 * deployment that mixes versions, so these values must never be edited to make a test pass.
 */
class SessionKeysTest {
    @Test
    void knownNamesMapToKnownKeys() {
        assertKey("distlock", "nightly-report", 4291107396734653927L,
                "distlock:3b8d13712b6b95e78621b5635f68e41975de31fe7acb87178a79d3");
        assertKey("billing", "invoice/42", 7958896505026434559L,
                "distlock:6e73ae340a32d5ffe6ec389ff2a6c9897f5fafaee8394b8c5dfd60");
        assertKey("distlock", "ünïcødé-名前-🔒", -6090923652293427437L,
                "distlock:ab78b13597067f13cfd9a788fed8c7da9e2cf89f548ee015ba503a");
        assertKey("app", "lock\u0000nul", -1587296540232768865L,
                "distlock:e9f8ca34de38229fc83444882817552c220637dec6c625e37fff40");
    }

    @Test
    void aNamespaceThatIsAPrefixOfAnotherNeverSharesKeys() {
        // Without the NUL after the namespace, ("app", ":lockx") and ("app:lock", "x") would hash the same bytes.
        assertKey("app:lock", "x", -2900499947251697128L,
                "distlock:d7bf5aaa5d05fa18a6772a716df6dc3211876e45abf79f059eccc5");
        assertThat(SessionKeys.of("app", ":lockx")).isNotEqualTo(SessionKeys.of("app:lock", "x"));
    }

    @Test
    void anUnpairedSurrogateNeverSharesTheKeyOfQuestionMark() {
        // A UTF-8 encoder writes '?' for it; the name's byte form (LockNames.bytes) keeps it apart.
        assertThat(SessionKeys.of("app", "a\uD800")).isNotEqualTo(SessionKeys.of("app", "a?"));
        assertThat(SessionKeys.of("app", "a\uDFFF")).isNotEqualTo(SessionKeys.of("app", "a\uD800"));
    }

    @Test
    void pgLocksHalvesRebuildTheKey() {
        SessionKeys.Key key = SessionKeys.of("distlock", "ünïcødé-名前-🔒");
        assertThat(key.classId()).isBetween(0L, 0xFFFF_FFFFL);
        assertThat(key.objectId()).isBetween(0L, 0xFFFF_FFFFL);
        assertThat(key.classId() << 32 | key.objectId()).isEqualTo(key.advisory());
        assertThat(key.lockName()).hasSizeLessThanOrEqualTo(64);
    }

    private static void assertKey(String namespace, String name, long advisory, String lockName) {
        SessionKeys.Key key = SessionKeys.of(namespace, name);
        assertThat(key.advisory()).as("PostgreSQL key of '%s' in '%s'", name, namespace).isEqualTo(advisory);
        assertThat(key.lockName()).as("GET_LOCK name of '%s' in '%s'", name, namespace).isEqualTo(lockName);
    }
}
