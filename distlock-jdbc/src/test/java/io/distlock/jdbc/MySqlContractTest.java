package io.distlock.jdbc;

import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

/**
 * The whole contract kit through MySQL Connector/J ({@code jdbc:mysql://}) and distlock-jdbc's
 * MySQL path (tokens from a counter table), on a private MariaDB server reached as a MySQL one:
 * this machine has no MySQL server package (Debian ships MariaDB). As {@link MariaDbContractTest}
 * otherwise: each backend on its own pool built from the URI; waiters in other processes poll.
 */
class MySqlContractTest extends MariaDbContractTest {
    @Override
    TestBackend backend() {
        return TestBackend.MYSQL;
    }

    @Test
    void theUriRunsThroughConnectorJ_onTheMySqlPath() throws SQLException {
        MySqlPath.check(server(), backendUri(), false);
    }
}
