package io.distlock.jdbc;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.Namespaces;
import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.ServerProcess;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that a {@code jdbc:mysql://} URI on a private MariaDB server really runs through MySQL
 * Connector/J and distlock-jdbc's MySQL path, not MariaDB's: the driver that takes the URL, the
 * dialect chosen, tokens that are the counter table's values, no SEQUENCE in the database, and with
 * session locks a {@code GET_LOCK} under the name {@link SessionKeys} gives.
 */
final class MySqlPath {
    private MySqlPath() {
    }

    static void check(ServerProcess server, String uri, boolean sessionLocks) throws SQLException {
        JdbcSettings settings = JdbcSettings.parse(uri);
        assertThat(DriverManager.getDriver(settings.driverUrl()).getClass().getName())
                .as("the driver DriverManager (and so HikariCP) gives %s", settings.driverUrl())
                .isEqualTo("com.mysql.cj.jdbc.Driver");
        JdbcLockBackend backend = JdbcLockBackend.open(uri);
        assertThat(backend.dialect()).as("MariaDB's own driver would report MariaDB").isEqualTo(Dialect.MYSQL);
        String table = settings.uri().string(JdbcSettings.TABLE, LeaseTable.DEFAULT_TABLE);
        String namespace = settings.uri().string(JdbcSettings.NAMESPACE, Namespaces.DEFAULT);
        String name = "mysql-path-" + System.nanoTime();
        try (LockManager locks = LockManager.builder(backend).build();
             Connection observer = MariaDbServers.connect(server)) {
            long first;
            try (Lock lock = locks.acquire(name, LockOptions.tryOnce())) {
                first = lock.token();
                assertThat(lastToken(observer, table)).as("the counter's last value is the token just handed out")
                        .isEqualTo(first);
                assertThat(lockedBySomeSession(observer, SessionKeys.of(namespace, name).lockName()))
                        .as("GET_LOCK held under the SessionKeys name").isEqualTo(sessionLocks);
            }
            try (Lock again = locks.acquire(name, LockOptions.tryOnce())) {
                assertThat(again.token()).isGreaterThan(first);
                assertThat(lastToken(observer, table)).isEqualTo(again.token());
            }
            try (Statement statement = observer.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM information_schema.TABLES"
                         + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE'")) {
                rows.next();
                assertThat(rows.getInt(1)).as("sequences made (the MariaDB path's token source)").isZero();
            }
        }
    }

    private static long lastToken(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT last_token FROM " + table + "_token_seq WHERE id = 1")) {
            assertThat(rows.next()).as("the counter's row").isTrue();
            return rows.getLong(1);
        }
    }

    private static boolean lockedBySomeSession(Connection connection, String lockName) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT IS_USED_LOCK(?)")) {
            statement.setString(1, lockName);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                rows.getLong(1);
                return !rows.wasNull();
            }
        }
    }
}
