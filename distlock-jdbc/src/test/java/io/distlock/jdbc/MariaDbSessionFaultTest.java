package io.distlock.jdbc;

/** The session-strategy fault suite on a private MariaDB. */
class MariaDbSessionFaultTest extends JdbcSessionFaultSuite {
    MariaDbSessionFaultTest() {
        super(FaultDatabases.MARIADB);
    }
}
