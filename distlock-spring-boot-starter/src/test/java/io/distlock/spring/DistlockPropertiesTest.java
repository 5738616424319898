package io.distlock.spring;

import io.distlock.LockDefaults;
import io.distlock.spi.Durations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The starter's defaults are written as literals (for the configuration metadata): they must be the API's. */
class DistlockPropertiesTest {
    @Test
    void theDefaultsAreLockDefaults() {
        DistlockProperties properties = new DistlockProperties();
        assertThat(Durations.parsePositive(properties.getLease())).isEqualTo(LockDefaults.LEASE);
        assertThat(Durations.parseWait(properties.getWait())).isEqualTo(LockDefaults.WAIT);
        assertThat(Durations.parsePositive(properties.getRetryInterval())).isEqualTo(LockDefaults.RETRY_INTERVAL);
    }
}
