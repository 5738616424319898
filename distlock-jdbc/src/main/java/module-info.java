/** distlock's SQL backend: a lease table in PostgreSQL, MariaDB or H2, or session locks, over JDBC. */
module io.distlock.jdbc {
    requires transitive io.distlock;
    requires transitive java.sql;
    requires com.zaxxer.hikari;
    requires org.slf4j;
    // Only for LISTEN/NOTIFY, and only loaded when the database is PostgreSQL.
    requires static org.postgresql.jdbc;

    exports io.distlock.jdbc;

    provides io.distlock.spi.LockBackendProvider with io.distlock.jdbc.JdbcBackendProvider;
}
