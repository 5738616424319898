package io.distlock.jdbc;

import java.util.Locale;

/**
 * What differs between the databases: the database clock in milliseconds, the sequence call, and
 * how one statement takes a lock. Everything else is the same SQL for all three.
 */
enum Dialect {
    POSTGRESQL("schema-postgresql.sql",
            "(extract(epoch from statement_timestamp()) * 1000)::bigint",
            "nextval('%s')"),
    MARIADB("schema-mariadb.sql",
            // UTC_TIMESTAMP and a fixed epoch: no session time zone, no daylight-saving hour counted twice.
            "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
            "NEXTVAL(%s)"),
    H2("schema-h2.sql",
            "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)",
            "NEXT VALUE FOR %s");

    final String schemaResource;
    /** The database's clock, ms since the epoch, one value for the whole statement. */
    final String now;
    private final String nextValue;

    Dialect(String schemaResource, String now, String nextValue) {
        this.schemaResource = schemaResource;
        this.now = now;
        this.nextValue = nextValue;
    }

    String nextValue(String sequence) {
        return String.format(Locale.ROOT, nextValue, sequence);
    }

    /**
     * The dialect for a database product name, as {@code DatabaseMetaData} reports it.
     *
     * @throws IllegalArgumentException for a database distlock has no dialect for, saying which it has
     */
    static Dialect of(String productName, int majorVersion, int minorVersion) {
        String product = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (product.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (product.contains("mariadb")) {
            if (majorVersion < 10 || (majorVersion == 10 && minorVersion < 3)) {
                throw new IllegalArgumentException("MariaDB " + majorVersion + "." + minorVersion
                        + " has no SEQUENCE, which distlock's fencing tokens need; use MariaDB 10.3 or later");
            }
            return MARIADB;
        }
        if (product.equals("h2")) {
            return H2;
        }
        if (product.contains("mysql")) {
            throw new IllegalArgumentException("MySQL has no SEQUENCE, which distlock's fencing tokens need "
                    + "(strictly increasing across restarts); use MariaDB 10.3 or later, or PostgreSQL");
        }
        throw new IllegalArgumentException("database '" + productName + "' is not supported by distlock-jdbc; "
                + "supported: PostgreSQL, MariaDB 10.3+, H2");
    }
}
