package io.distlock.jdbc;

import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

/**
 * The whole contract kit with session locks ({@code GET_LOCK}) through MySQL Connector/J and
 * distlock-jdbc's MySQL path, on a private MariaDB server, as {@link MariaDbSessionContractTest}
 * runs it through MariaDB's driver.
 */
class MySqlSessionContractTest extends MariaDbSessionContractTest {
    @Override
    String serverUri(ServerProcess server) {
        return MariaDbServers.mysqlUri(server);
    }

    @Test
    void theUriRunsThroughConnectorJ_onTheMySqlPath() throws SQLException {
        MySqlPath.check(server(), backendUri(), true);
    }
}
