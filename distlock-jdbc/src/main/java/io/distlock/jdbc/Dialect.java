package io.distlock.jdbc;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the databases: the database clock in milliseconds, where tokens come from,
 * and how one statement takes a lock. Everything else is the same SQL for all of them.
 */
enum Dialect {
    POSTGRESQL("schema-postgresql.sql",
            "(extract(epoch from statement_timestamp()) * 1000)::bigint",
            "nextval('%s')"),
    MARIADB("schema-mariadb.sql",
            Clock.UTC_MILLIS,
            "NEXTVAL(%s)"),
    /**
     * MySQL has no sequences: tokens come from a one-row counter table, drawn in the transaction
     * that has just made the row its own (see {@link LeaseTable}). The rest is MariaDB's SQL, minus
     * what MySQL 8 deprecates ({@code VALUES()} in an upsert, user variables set in expressions).
     */
    MYSQL("schema-mysql.sql",
            Clock.UTC_MILLIS,
            null),
    H2("schema-h2.sql",
            "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)",
            "NEXT VALUE FOR %s");

    /** The oldest MySQL the MySQL path is meant for (module README, "MySQL"). */
    static final int MYSQL_MAJOR = 8;

    private static final class Clock {
        // UTC_TIMESTAMP and a fixed epoch: no session time zone, no daylight-saving hour counted twice.
        static final String UTC_MILLIS = "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)";
    }

    /** A MariaDB server's version as MySQL clients see it: "5.5.5-10.11.6-MariaDB..." (the prefix is for old clients). */
    private static final Pattern MARIADB_VERSION = Pattern.compile("(?:5\\.5\\.5-)?(\\d+)\\.(\\d+).*mariadb.*",
            Pattern.CASE_INSENSITIVE);

    final String schemaResource;
    /** The database's clock, ms since the epoch, one value for the whole statement. */
    final String now;
    /** Null on MySQL, which has no sequences. */
    private final @Nullable String nextValue;

    Dialect(String schemaResource, String now, @Nullable String nextValue) {
        this.schemaResource = schemaResource;
        this.now = now;
        this.nextValue = nextValue;
    }

    /** True where tokens come from a database sequence; false on MySQL (a counter table). */
    boolean hasSequences() {
        return nextValue != null;
    }

    String nextValue(String sequence) {
        if (nextValue == null) {
            throw new IllegalStateException(this + " has no sequences");
        }
        return String.format(Locale.ROOT, nextValue, sequence);
    }

    /**
     * The dialect for a database as {@code DatabaseMetaData} reports it. The product name is the
     * driver's word: MariaDB's driver says MariaDB for a MariaDB server, and MySQL Connector/J says
     * MySQL for every server, MariaDB's included, which then gets the MySQL path (a counter table
     * rather than a sequence: {@link Schema} refuses a table whose token source is the other one).
     *
     * @throws IllegalArgumentException for a database distlock has no dialect for, or too old a version, saying which it has
     */
    static Dialect of(String productName, String productVersion, int majorVersion, int minorVersion) {
        String product = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (product.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (product.contains("mariadb")) {
            requireMariaDb(majorVersion, minorVersion, "");
            return MARIADB;
        }
        if (product.equals("h2")) {
            return H2;
        }
        if (product.contains("mysql")) {
            Matcher mariaDb = MARIADB_VERSION.matcher(productVersion == null ? "" : productVersion);
            if (mariaDb.matches()) {
                requireMariaDb(Integer.parseInt(mariaDb.group(1)), Integer.parseInt(mariaDb.group(2)),
                        " (through a MySQL driver)");
            } else if (majorVersion < MYSQL_MAJOR) {
                throw new IllegalArgumentException("MySQL " + productVersion + " is older than " + MYSQL_MAJOR
                        + ".0, the oldest distlock-jdbc's MySQL path is meant for (and MySQL Connector/J supports); "
                        + "use MySQL " + MYSQL_MAJOR + ".0 or later (8.4 LTS, 9.x)");
            }
            return MYSQL;
        }
        throw new IllegalArgumentException("database '" + productName + "' is not supported by distlock-jdbc; "
                + "supported: PostgreSQL, MariaDB 10.3+, MySQL " + MYSQL_MAJOR + ".0+, H2");
    }

    private static void requireMariaDb(int majorVersion, int minorVersion, String how) {
        if (majorVersion < 10 || (majorVersion == 10 && minorVersion < 3)) {
            throw new IllegalArgumentException("MariaDB " + majorVersion + "." + minorVersion + how
                    + " is older than 10.3, the oldest distlock-jdbc supports (the first with SEQUENCE); "
                    + "use MariaDB 10.3 or later");
        }
    }
}
