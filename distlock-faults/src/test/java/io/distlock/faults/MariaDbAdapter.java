package io.distlock.faults;

import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.TestBackend;

import java.util.Map;
import java.util.Set;

/**
 * The JDBC backend on one private MariaDB ({@link MariaDbServers}: one process, InnoDB writing its
 * log to the operating system at every commit, so a killed server loses no commit): the lease
 * table, or session locks ({@code GET_LOCK} on a connection per held lock).
 */
final class MariaDbAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = faultsOf(TestBackend.MARIADB);
    static final String SESSION_NAME = "jdbc-mariadb, session locks";
    private final String name;
    private final String strategy;

    private MariaDbAdapter(String name, String strategy) {
        super(TestBackend.MARIADB);
        this.name = name;
        this.strategy = strategy;
    }

    static MariaDbAdapter leaseTable() {
        return new MariaDbAdapter("jdbc-mariadb", "table");
    }

    static MariaDbAdapter sessionLocks() {
        return new MariaDbAdapter(SESSION_NAME, "session");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    Map<String, String> parameters() {
        return Map.of("strategy", strategy);
    }
}
