package io.distlock.testkit.server;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The URIs the descriptor writes, as the backends' tests used to write them by hand; no server is started. */
class TestBackendTest {
    @Test
    void jdbcParametersTakeThePrefix_andAfterTheDriversOwn() {
        assertThat(TestBackend.MARIADB.uri(3306, TestBackend.parameters("namespace", "kit", "timeout", "10s")))
                .isEqualTo("jdbc:mariadb://distlock:secret@127.0.0.1:3306/distlock?sslMode=disable"
                        + "&distlock.namespace=kit&distlock.timeout=10s");
        assertThat(TestBackend.REDIS.uri(6379, Map.of("namespace", "orders")))
                .isEqualTo("redis://127.0.0.1:6379?namespace=orders");
    }

    @Test
    void withoutPassword_theUriNamesTheUserAndTheEnvironmentCarriesThePassword() {
        assertThat(TestBackend.POSTGRES.uriWithoutPassword(5432, Map.of("connectTimeout", "2s")))
                .isEqualTo("jdbc:postgresql://postgres@127.0.0.1:5432/postgres?distlock.connectTimeout=2s");
        assertThat(TestBackend.MYSQL.uriWithoutPassword(3306, Map.of()))
                .isEqualTo("jdbc:mysql://distlock@127.0.0.1:3306/distlock?sslMode=DISABLED");
        assertThat(TestBackend.MYSQL.passwordEnvironment("pw")).isEqualTo(Map.of("DISTLOCK_JDBC_PASSWORD", "pw"));
        assertThat(TestBackend.MEMCACHED.passwordEnvironment("pw")).isEmpty();
        assertThat(TestBackend.POSTGRES.password()).isEqualTo(PostgresServers.PASSWORD);
    }
}
