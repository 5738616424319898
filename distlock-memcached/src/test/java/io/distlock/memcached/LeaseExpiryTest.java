package io.distlock.memcached;

import io.distlock.LockBackendException;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The expiry sent for a lease: whole seconds rounded up plus two, relative up to 30 days (MemcachedConnection#expiry). */
class LeaseExpiryTest {
    @Test
    void relativeExpiriesNeedNoServer() {
        // Nothing listens on this port: relative expiries are computed without asking the server.
        MemcachedSettings.Server nowhere = new MemcachedSettings.Server("127.0.0.1", ServerProcess.freePort());
        try (MemcachedConnection node = new MemcachedConnection(nowhere, Duration.ofSeconds(1), Duration.ofMillis(200), n -> { })) {
            assertThat(node.expiry(Duration.ofMillis(1))).isEqualTo(3);
            assertThat(node.expiry(Duration.ofMillis(300))).isEqualTo(3);
            assertThat(node.expiry(Duration.ofSeconds(1))).isEqualTo(3);
            assertThat(node.expiry(Duration.ofMillis(1001))).isEqualTo(4);
            assertThat(node.expiry(Duration.ofSeconds(20))).isEqualTo(22);
            assertThat(node.expiry(Duration.ofDays(30).minusSeconds(2))).isEqualTo(30 * 24 * 3600);
            // One more second and memcached would read it as a date in 1970: it needs the server's clock.
            assertThatThrownBy(() -> node.expiry(Duration.ofDays(30).minusSeconds(1)))
                    .isInstanceOf(LockBackendException.class).hasMessageContaining(nowhere.label());
        }
    }
}
