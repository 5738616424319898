package io.distlock.jdbc;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;
import java.util.Set;

/**
 * The whole contract kit on a private MariaDB, each backend on its own pool built from the URI (the
 * command line's way). MariaDB has no notification channel: waiters in other processes poll.
 */
class MariaDbContractTest extends LockContractSuite {
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
        return serverUri(mariadb) + "&distlock.namespace=kit&distlock.timeout=10s&distlock.connectTimeout=30s"
                + strategyParameters();
    }

    /** The server's URI, through MariaDB's driver; the MySQL tests reach it through MySQL Connector/J. */
    String serverUri(ServerProcess server) {
        return MariaDbServers.uri(server);
    }

    static ServerProcess server() {
        return mariadb;
    }

    /** The lease table, on a small pool. */
    String strategyParameters() {
        return "&distlock.poolSize=2";
    }

    @Override
    protected int dropConnections() {
        return mariadb.dropConnections();
    }

    @Override
    protected void restartServer() {
        // Same data directory: the lease table and its tokens survive; each pool reconnects.
        mariadb.restart();
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(RELEASE_NOTIFICATION, DROP_NOTICED);
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        return Map.of(RELEASE_NOTIFICATION, "MariaDB has no LISTEN/NOTIFY: waiters of other processes poll at "
                + "their retry interval (distlock-jdbc/README.md)",
                DROP_NOTICED, "no connection stays open between calls (no LISTEN): HikariCP replaces a dead pooled "
                        + "connection when it next lends it, so the backend may never see the drop, and need not; "
                        + "its locks simply stay held");
    }
}
