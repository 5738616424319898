package io.distlock.jdbc;

/** The lease-table fault suite on a private PostgreSQL. */
class PostgresFaultTest extends JdbcTableFaultSuite {
    PostgresFaultTest() {
        super(FaultDatabases.POSTGRES);
    }
}
