package io.distlock.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a jdbc: URI is split between the driver and distlock. */
class JdbcSettingsTest {
    @Test
    void userInfoBecomesCredentials_driverParametersStay_distlocksAreTakenOut() {
        JdbcSettings settings = JdbcSettings.parse("jdbc:postgresql://app:s%40cret@db1:5432,db2:5432/locks"
                + "?ssl=true&distlock.namespace=billing&ApplicationName=x", null);
        assertThat(settings.driverUrl()).isEqualTo("jdbc:postgresql://db1:5432,db2:5432/locks");
        assertThat(settings.user()).isEqualTo("app");
        assertThat(settings.password()).isEqualTo("s@cret");
        assertThat(settings.driverProperties()).containsOnlyKeys("ssl", "ApplicationName");
        assertThat(settings.uri().string(JdbcSettings.NAMESPACE, null)).isEqualTo("billing");
        assertThat(settings.uri().masked()).doesNotContain("cret").contains("app:***@");
    }

    @Test
    void theStrategyIsDistlocksParameter_neverTheDrivers() {
        JdbcSettings settings = JdbcSettings.parse("jdbc:postgresql://db/locks?distlock.strategy=session&ssl=true", null);
        assertThat(settings.driverProperties()).containsOnlyKeys("ssl");
        assertThat(settings.uri().string(JdbcSettings.STRATEGY, null)).isEqualTo("session");
    }

    @Test
    void passwordFromTheEnvironmentOnlyWhenTheUriHasNone() {
        assertThat(JdbcSettings.parse("jdbc:mariadb://app@db/locks", "fromEnv").password()).isEqualTo("fromEnv");
        assertThat(JdbcSettings.parse("jdbc:mariadb://app:inUri@db/locks", "fromEnv").password()).isEqualTo("inUri");
        assertThat(JdbcSettings.parse("jdbc:mariadb://db/locks?user=app&password=p", "fromEnv").password()).isNull();
        assertThat(JdbcSettings.parse("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1", "fromEnv").password()).isEqualTo("fromEnv");
    }

    @Test
    void h2UrlsPassThroughUntouched() {
        JdbcSettings settings = JdbcSettings.parse("jdbc:h2:tcp://127.0.0.1:9092/mem:kit;DB_CLOSE_DELAY=-1?distlock.table=t", null);
        assertThat(settings.driverUrl()).isEqualTo("jdbc:h2:tcp://127.0.0.1:9092/mem:kit;DB_CLOSE_DELAY=-1");
        assertThat(settings.subprotocol()).isEqualTo("h2");
    }

    @Test
    void credentialsTwiceAreRefused() {
        assertThatThrownBy(() -> JdbcSettings.parse("jdbc:postgresql://u:p@db/x?password=q", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password twice")
                .hasMessageNotContaining("=q");
        assertThatThrownBy(() -> JdbcSettings.parse("jdbc:postgresql://u@db/x?user=v", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user twice");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> JdbcSettings.parse("postgresql://db/x", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:");
    }
}
