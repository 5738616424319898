package io.distlock.jdbc;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
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
        mariadb = TestBackend.MARIADB.start();
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
        return backend().uri(mariadb, TestBackend.parameters("namespace", "kit", "timeout", "10s", "connectTimeout", "30s"))
                + strategyParameters();
    }

    /** The backend through MariaDB's driver; the MySQL tests reach the same server through MySQL Connector/J. */
    TestBackend backend() {
        return TestBackend.MARIADB;
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
