package io.distlock.zookeeper;

import io.distlock.LockBackendException;
import io.distlock.testkit.Stderr;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.ZooKeeperServers;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vocabulary (docs/lock-contract.md, "Vocabulary"): the builder's {@code timeout}, as the
 * URI's; the old {@code commandTimeout} still works, with one warning per backend; both with
 * different values are refused. Observed as a user would: the namespace by the nodes on the
 * server, the timeout by the message of an operation the frozen server does not answer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperVocabularyTest {
    private static ServerProcess zookeeper;

    @BeforeAll
    static void start() {
        zookeeper = ZooKeeperServers.start();
    }

    @AfterAll
    static void stop() {
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    private static String uri() {
        return "zookeeper://127.0.0.1:" + zookeeper.port() + "/apps?connectTimeout=3s&namespace=words";
    }

    /** The timeout the backend's operations run with: named by an inspect the frozen server leaves unanswered. */
    private static void assertTimeout(ZooKeeperLockBackend backend, String expected) {
        zookeeper.freeze();
        try {
            assertThatThrownBy(() -> backend.inspect("unanswered")).isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("within " + expected + " (the timeout parameter)");
        } finally {
            zookeeper.thaw();
        }
    }

    @Test
    void theNewWordWorksWithoutAWarning() throws Exception {
        String log = Stderr.of(() -> {
            try (ZooKeeperLockBackend backend = ZooKeeperLockBackend.builder(uri()).timeout(Duration.ofMillis(750)).build()) {
                assertTimeout(backend, "PT0.75S");
            }
        });
        assertThat(log).doesNotContain("deprecated");
        try (ZooKeeper raw = RawZooKeeper.connect("127.0.0.1:" + zookeeper.port())) {
            assertThat(raw.exists("/apps/words/locks", false)).as("the namespace's node").isNotNull();
        }

        log = Stderr.of(() -> {
            try (ZooKeeperLockBackend backend = ZooKeeperLockBackend.builder(uri() + "&timeout=750ms").build()) {
                assertTimeout(backend, "PT0.75S");
            }
        });
        assertThat(log).doesNotContain("deprecated");
    }

    @Test
    @SuppressWarnings("removal")
    void theOldWordWorksAndWarnsOncePerBackend() {
        String log = Stderr.of(() -> {
            try (ZooKeeperLockBackend backend = ZooKeeperLockBackend.builder(uri())
                    .commandTimeout(Duration.ofMillis(750)).build()) {
                assertTimeout(backend, "PT0.75S");
            }
        });
        assertThat(log.lines().filter(line -> line.contains("commandTimeout is deprecated, use timeout")))
                .singleElement().asString().contains("WARN").contains("zookeeper://127.0.0.1:" + zookeeper.port() + "/apps");
    }

    @Test
    @SuppressWarnings("removal")
    void bothWordsWithDifferentValuesAreRefused() {
        assertThatThrownBy(() -> ZooKeeperLockBackend.builder(uri()).timeout(Duration.ofSeconds(1))
                .commandTimeout(Duration.ofSeconds(2)).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        assertThatThrownBy(() -> ZooKeeperLockBackend.builder(uri()).commandTimeout(Duration.ofSeconds(2))
                .timeout(Duration.ofSeconds(1)).build())
                .as("in either order, and before connecting").isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout 2s").hasMessageContaining("timeout 1s");
        try (ZooKeeperLockBackend backend = ZooKeeperLockBackend.builder(uri()).commandTimeout(Duration.ofSeconds(2))
                .timeout(Duration.ofSeconds(2)).build()) {
            assertTimeout(backend, "PT2S");
        }
    }
}
