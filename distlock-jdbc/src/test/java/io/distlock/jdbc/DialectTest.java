package io.distlock.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which path a database gets, from what its driver reports (DatabaseMetaData), and which versions are refused. */
class DialectTest {
    @Test
    void mySqlDriversGetTheMySqlPath_onMySqlAndOnMariaDb() {
        assertThat(Dialect.of("MySQL", "8.0.36", 8, 0)).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("MySQL", "8.4.3", 8, 4)).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("MySQL", "9.1.0-commercial", 9, 1)).isEqualTo(Dialect.MYSQL);
        // MySQL Connector/J on a MariaDB server: the version carries the "5.5.5-" prefix for old clients.
        assertThat(Dialect.of("MySQL", "5.5.5-10.11.19-MariaDB-0+deb12u1", 5, 5)).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("MySQL", "11.4.2-MariaDB", 11, 4)).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("MariaDB", "10.11.19-MariaDB-0+deb12u1", 10, 11)).isEqualTo(Dialect.MARIADB);
    }

    @Test
    void mySqlBefore8IsRefused_namingItsVersion() {
        assertThatThrownBy(() -> Dialect.of("MySQL", "5.7.44-log", 5, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MySQL 5.7.44-log")
                .hasMessageContaining("use MySQL 8.0 or later");
    }

    @Test
    void mariaDbBefore10_3IsRefused_throughEitherDriver() {
        assertThatThrownBy(() -> Dialect.of("MariaDB", "10.2.44-MariaDB", 10, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MariaDB 10.2 is older than 10.3");
        assertThatThrownBy(() -> Dialect.of("MySQL", "5.5.5-10.2.44-MariaDB", 5, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MariaDB 10.2 (through a MySQL driver) is older than 10.3");
    }

    @Test
    void anUnknownDatabaseIsRefused_namingTheSupportedOnes() {
        assertThatThrownBy(() -> Dialect.of("Oracle", "19c", 19, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Oracle'").hasMessageContaining("MySQL 8.0+");
    }
}
