package io.distlock.jdbc;

/** The lease-table fault suite through MySQL Connector/J (distlock-jdbc's MySQL path) on a private MariaDB. */
class MySqlFaultTest extends JdbcTableFaultSuite {
    MySqlFaultTest() {
        super(FaultDatabases.MYSQL);
    }
}
