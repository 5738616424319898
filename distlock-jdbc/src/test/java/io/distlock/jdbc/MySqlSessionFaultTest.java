package io.distlock.jdbc;

/** The session-strategy fault suite through MySQL Connector/J (distlock-jdbc's MySQL path) on a private MariaDB. */
class MySqlSessionFaultTest extends JdbcSessionFaultSuite {
    MySqlSessionFaultTest() {
        super(FaultDatabases.MYSQL);
    }
}
