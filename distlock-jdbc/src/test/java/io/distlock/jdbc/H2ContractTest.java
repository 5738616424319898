package io.distlock.jdbc;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

/**
 * The contract kit on H2: an in-memory database, served over TCP on a free loopback port by an H2
 * server inside this JVM, so the kit's child JVMs reach the same locks.
 */
class H2ContractTest extends LockContractSuite {
    private static Server server;

    @BeforeAll
    static void startH2() throws SQLException {
        server = Server.createTcpServer("-tcpPort", String.valueOf(ServerProcess.freePort()), "-ifNotExists").start();
    }

    @AfterAll
    static void stopH2() {
        if (server != null) {
            server.stop();
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
        return "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:kit;DB_CLOSE_DELAY=-1"
                + "?distlock.namespace=kit&distlock.timeout=10s&distlock.connectTimeout=30s&distlock.poolSize=2";
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(RELEASE_NOTIFICATION, CONNECTION_DROP, DROP_NOTICED, RESTART);
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        String droppedIsGone = "an in-memory H2 served over TCP does not outlive its connections being reset from "
                + "the server's side: every later statement fails with 90121 'Database is already closed', so "
                + "its locks are gone, not suspended (seen in this test; H2 is for tests and small setups, README)";
        return Map.of(RESTART, "an in-memory H2 database is gone when its server stops: nothing survives a restart",
                DROP_NOTICED, droppedIsGone,
                RELEASE_NOTIFICATION, "H2 has no notification channel: waiters of other processes poll at "
                        + "their retry interval",
                CONNECTION_DROP, droppedIsGone);
    }
}
