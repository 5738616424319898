package io.distlock.jdbc;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/**
 * The whole contract kit on a private MariaDB with session locks ({@code GET_LOCK}, one connection
 * per held lock), each backend on its own pool built from the URI. MariaDB has no notification
 * channel: waiters in other processes poll.
 */
class MariaDbSessionContractTest extends LockContractSuite {
    private static ServerProcess mariadb;

    @BeforeAll
    static void startMariaDb() {
        mariadb = MariaDbServers.start();
    }

    @AfterAll
    static void stopMariaDb() {
        if (mariadb != null) {
            mariadb.close();
        }
    }

    @Override
    protected LockBackend newBackend() {
        return JdbcLockBackend.open(backendUri());
    }

    @Override
    protected LockBackend newBackend(String namespace) {
        return JdbcLockBackend.builder(backendUri()).namespace(namespace).build();
    }

    @Override
    protected String backendUri() {
        // A connection per held lock: rule 6.1 holds 17 locks at once in one manager.
        return MariaDbServers.uri(mariadb) + "&distlock.strategy=session&distlock.namespace=kit&distlock.timeout=10s"
                + "&distlock.connectTimeout=30s&distlock.poolSize=24";
    }

    @Override
    protected Map<String, String> notApplicable() {
        return Map.of(RELEASE_NOTIFICATION, "MariaDB has no LISTEN/NOTIFY: waiters of other processes poll at "
                + "their retry interval (distlock-jdbc/README.md)");
    }
}
