package io.distlock.jdbc;

import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

/**
 * The whole contract kit with session locks ({@code GET_LOCK}) through MySQL Connector/J and
 * distlock-jdbc's MySQL path, on a private MariaDB server, as {@link MariaDbSessionContractTest}
 * runs it through MariaDB's driver.
 */
class MySqlSessionContractTest extends MariaDbSessionContractTest {
    @Override
    TestBackend backend() {
        return TestBackend.MYSQL;
    }

    @Test
    void theUriRunsThroughConnectorJ_onTheMySqlPath() throws SQLException {
        MySqlPath.check(server(), backendUri(), true);
    }
}
