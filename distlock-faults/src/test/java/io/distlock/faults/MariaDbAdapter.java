package io.distlock.faults;

import io.distlock.jdbc.MariaDbServers;

import java.util.Set;

/**
 * The JDBC backend's lease table on one private MariaDB ({@link MariaDbServers}: one process, InnoDB
 * writing its log to the operating system at every commit, so a killed server loses no commit).
 */
final class MariaDbAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = SERVER_FAULTS;

    MariaDbAdapter() {
        super(MariaDbServers.start());
    }

    @Override
    public String name() {
        return "jdbc-mariadb";
    }

    @Override
    String uri(int port) {
        return "jdbc:mariadb://" + MariaDbServers.USER + ":" + MariaDbServers.PASSWORD + "@127.0.0.1:" + port + "/"
                + MariaDbServers.DATABASE + "?" + MariaDbServers.NO_TLS + "&" + JDBC_TIMEOUTS;
    }
}
