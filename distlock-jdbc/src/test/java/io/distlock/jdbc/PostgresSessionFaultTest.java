package io.distlock.jdbc;

/** The session-strategy fault suite on a private PostgreSQL. */
class PostgresSessionFaultTest extends JdbcSessionFaultSuite {
    PostgresSessionFaultTest() {
        super(FaultDatabases.POSTGRES);
    }
}
