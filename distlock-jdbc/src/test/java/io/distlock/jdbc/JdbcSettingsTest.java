package io.distlock.jdbc;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;

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

    @Test
    void toStringNeverShowsAPassword_whereverItCameFrom() {
        for (String uri : List.of("jdbc:postgresql://app:Pw%23One@db/x?sslmode=verify-full",
                "jdbc:postgresql://db/x?user=app&password=PwTwo&sslpassword=PwThree",
                "jdbc:mariadb://db/x?user=app&keyPassword=PwFour&trustStorePassword=PwFive",
                "jdbc:mysql://app:PwEight@db:3306/x?sslMode=VERIFY_IDENTITY&trustCertificateKeyStorePassword=PwNine"
                        + "&clientCertificateKeyStorePassword=PwTen",
                "jdbc:h2:tcp://127.0.0.1:9092/mem:x;USER=sa;PASSWORD=PwSix", "jdbc:h2:mem:x;PASSWORD=PwSeven;USER=sa")) {
            JdbcSettings settings = JdbcSettings.parse(uri, "PwEnv");
            assertThat(settings.toString()).as(uri).doesNotContain("Pw").contains("JdbcSettings[");
        }
        assertThat(JdbcSettings.parse("jdbc:postgresql://app@db/x", "PwEnv").toString()).doesNotContain("PwEnv");
    }

    @Test
    void driverMessagesAreMaskedOfThePasswordsGiven() {
        JdbcSettings settings = JdbcSettings.parse("jdbc:postgresql://app:Pw%23One@db/x?sslpassword=PwTwo", null);
        SQLException failure = new SQLException("auth failed for app with Pw#One (sslpassword PwTwo) at "
                + "jdbc:postgresql://app:Pw#One@db/x", "28P01");
        assertThat(JdbcConnections.explain(failure, settings.secrets())).doesNotContain("Pw")
                .contains("check the user and the password");
    }

    @Test
    void connectorJUrlsLoseTheirUserInfoAndParameters_andAConnectorJMessageQuotingTheUrlIsMasked() {
        JdbcSettings settings = JdbcSettings.parse("jdbc:mysql://app:Pw%40Mine@db1:3306,db2:3306/locks"
                + "?sslMode=VERIFY_IDENTITY&distlock.strategy=session", null);
        assertThat(settings.driverUrl()).isEqualTo("jdbc:mysql://db1:3306,db2:3306/locks");
        assertThat(settings.subprotocol()).isEqualTo("mysql");
        assertThat(settings.password()).isEqualTo("Pw@Mine");
        assertThat(settings.driverProperties()).containsOnlyKeys("sslMode");
        // The kind of message Connector/J builds from a URL it cannot parse, had it been given the whole URI.
        SQLException failure = new SQLException("Cannot load connection class because of underlying exception: "
                + "WrongArgumentException: Malformed database URL, failed to parse the connection string near "
                + "'app:Pw@Mine@db1:3306'.", "08001");
        assertThat(JdbcConnections.explain(failure, settings.secrets())).doesNotContain("Pw@Mine").contains("app:***");
    }

    @Test
    void aPasswordWhoseHashWouldEndTheHostIsRefused() {
        for (String uri : List.of("jdbc:postgresql://app:s3cr#et@db/x", "jdbc:postgresql://app:s3cr/et@db/x",
                "jdbc:postgresql://app:s3cr?et@db/x")) {
            assertThatThrownBy(() -> JdbcSettings.parse(uri, null)).as(uri).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("percent-encode").message().doesNotContain("s3cr").doesNotContain("et@");
        }
    }
}
