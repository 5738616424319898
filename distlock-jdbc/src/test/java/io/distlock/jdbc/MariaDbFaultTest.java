package io.distlock.jdbc;

/** The lease-table fault suite on a private MariaDB. */
class MariaDbFaultTest extends JdbcTableFaultSuite {
    MariaDbFaultTest() {
        super(FaultDatabases.MARIADB);
    }
}
