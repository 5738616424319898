package io.distlock.jdbc;

import io.distlock.LockBackendException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Creates the lease table when it is missing and refuses one of the wrong shape, saying what is wrong. */
final class Schema {
    private enum Kind { TEXT, BYTES, WHOLE }

    private static final Map<String, Kind> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("ns", Kind.TEXT);
        COLUMNS.put("name", Kind.BYTES);
        COLUMNS.put("owner", Kind.TEXT);
        COLUMNS.put("token", Kind.WHOLE);
        COLUMNS.put("host", Kind.TEXT);
        COLUMNS.put("pid", Kind.WHOLE);
        COLUMNS.put("thread", Kind.TEXT);
        COLUMNS.put("acquired_at", Kind.WHOLE);
        COLUMNS.put("expires_at", Kind.WHOLE);
    }

    private Schema() {
    }

    /** The script for {@code dialect} with the configured table name, as shipped under src/main/resources. */
    static String script(Dialect dialect, String table) {
        try (InputStream in = Schema.class.getResourceAsStream(dialect.schemaResource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + dialect.schemaResource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(LeaseTable.DEFAULT_TABLE, table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates what is missing (when allowed) and checks the table's shape and its token source. */
    static void prepare(Connection connection, LeaseTable table, boolean create, String where) throws SQLException {
        Map<String, Column> columns = columns(connection, table.table);
        if (columns.isEmpty() && !create) {
            throw new LockBackendException("table " + table.table + " does not exist in " + where
                    + " and createTable is off; create it with distlock-jdbc's " + table.dialect.schemaResource
                    + " (io/distlock/jdbc/" + table.dialect.schemaResource + " in the jar)");
        }
        // Before the script, which would fail on a token source of the other kind with a bare SQL error.
        TokenSource source = tokenSource(connection, table, where);
        if (source != TokenSource.READY && !create) {
            throw new LockBackendException("the token " + (table.dialect.hasSequences() ? "sequence " : "counter ")
                    + table.sequence + (source == TokenSource.MISSING ? " does not exist in " : " has no row with id = 1 in ")
                    + where + " and createTable is off; create it with distlock-jdbc's " + table.dialect.schemaResource
                    + " (io/distlock/jdbc/" + table.dialect.schemaResource + " in the jar)");
        }
        if (columns.isEmpty()) {
            run(connection, script(table.dialect, table.table));
            columns = columns(connection, table.table);
        } else if (create) {
            // The table may predate the sequence (a hand-made table); the script's IF NOT EXISTS keeps the rest.
            run(connection, script(table.dialect, table.table));
        }
        List<String> problems = problems(columns, primaryKey(connection, table.table));
        if (!problems.isEmpty()) {
            throw new LockBackendException("table " + table.table + " in " + where + " is not a distlock lease table: "
                    + String.join("; ", problems) + ". Use another table name (distlock.table) or create it with "
                    + table.dialect.schemaResource + " (io/distlock/jdbc/" + table.dialect.schemaResource
                    + " in the distlock-jdbc jar)");
        }
    }

    private enum TokenSource { READY, MISSING, EMPTY }

    /**
     * Where the tokens of a MariaDB or MySQL table come from: MariaDB's path draws them from a
     * SEQUENCE, MySQL's from a counter table, both named {@code <table>_token_seq}. A MariaDB server
     * can be reached through either driver (MySQL Connector/J takes the MySQL path), and one table
     * whose clients drew from two sources would hand out tokens out of order, so a token source of
     * the other kind is refused, naming the driver that made it. PostgreSQL and H2 are not checked.
     */
    private static TokenSource tokenSource(Connection connection, LeaseTable table, String where) throws SQLException {
        String sql = switch (table.dialect) {
            case MARIADB -> "SELECT LASTVAL(" + table.sequence + ")";
            case MYSQL -> "SELECT last_token FROM " + table.sequence + " WHERE id = 1";
            default -> null;
        };
        if (sql == null) {
            return TokenSource.READY;
        }
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? TokenSource.READY : TokenSource.EMPTY;
        } catch (SQLException e) {
            // MySQL and MariaDB: 1146 no such table, 4091 no such sequence; 4089 a table that is not a
            // sequence, 1054 a sequence (or another table) where the counter's column should be.
            switch (e.getErrorCode()) {
                case 1146, 4091 -> {
                    return TokenSource.MISSING;
                }
                case 4089 -> throw new LockBackendException(table.sequence + " in " + where + " is a table, not the "
                        + "SEQUENCE that distlock-jdbc's MariaDB path takes its tokens from: it is the counter of the "
                        + "MySQL path, so this table is used through jdbc:mysql:// (MySQL Connector/J). Tokens from two "
                        + "sources would not increase: use jdbc:mysql:// for this table too, or another table "
                        + "(distlock.table)", e);
                case 1054 -> throw new LockBackendException(table.sequence + " in " + where + " is not the counter "
                        + "table (id, last_token) that distlock-jdbc's MySQL path takes its tokens from; on MariaDB it "
                        + "is the SEQUENCE of the MariaDB path, so this table is used through jdbc:mariadb:// (MariaDB "
                        + "Connector/J). Tokens from two sources would not increase: use jdbc:mariadb:// for this "
                        + "table too, or another table (distlock.table)", e);
                default -> throw e;
            }
        }
    }

    private static void run(Connection connection, String script) throws SQLException {
        boolean auto = connection.getAutoCommit();
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements(script)) {
                try {
                    statement.execute(sql);
                } catch (SQLException raced) {
                    // Two processes creating the table at once: PostgreSQL may refuse the loser's
                    // IF NOT EXISTS with a unique violation. The shape check below decides.
                    if (raced.getSQLState() == null || (!raced.getSQLState().startsWith("23")
                            && !raced.getSQLState().startsWith("42P07"))) {
                        throw raced;
                    }
                    if (!auto) {
                        connection.rollback();
                    }
                }
            }
            if (!auto) {
                connection.commit();
            }
        }
    }

    static List<String> statements(String script) {
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.lines().toList()) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> result = new ArrayList<>();
        for (String sql : withoutComments.toString().split(";", -1)) {
            if (!sql.isBlank()) {
                result.add(sql.strip());
            }
        }
        return result;
    }

    private record Column(int type, String typeName, int size, boolean nullable, boolean hasDefault) {
    }

    private record Where(@Nullable String catalog, @Nullable String schema, String table) {
    }

    private static List<Where> places(Connection connection, String qualified) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        int dot = qualified.indexOf('.');
        String owner = dot < 0 ? null : qualified.substring(0, dot);
        String table = dot < 0 ? qualified : qualified.substring(dot + 1);
        if (meta.storesUpperCaseIdentifiers()) {
            owner = owner == null ? null : owner.toUpperCase(Locale.ROOT);
            table = table.toUpperCase(Locale.ROOT);
        }
        String escape = meta.getSearchStringEscape();
        String pattern = escape == null ? table : table.replace("_", escape + "_");
        List<Where> places = new ArrayList<>();
        String schema = owner != null ? owner : connection.getSchema();
        String catalog = owner != null ? owner : connection.getCatalog();
        // Drivers disagree on whether a MySQL-family database is a catalog or a schema: try both.
        places.add(new Where(owner != null ? null : catalog, schema, pattern));
        places.add(new Where(catalog, null, pattern));
        return places;
    }

    private static Map<String, Column> columns(Connection connection, String qualified) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String table = qualified.substring(qualified.indexOf('.') + 1);
        for (Where where : places(connection, qualified)) {
            Map<String, Column> columns = new LinkedHashMap<>();
            try (ResultSet rows = meta.getColumns(where.catalog, where.schema, where.table, "%")) {
                while (rows.next()) {
                    if (!rows.getString("TABLE_NAME").equalsIgnoreCase(table)) {
                        continue;
                    }
                    columns.put(rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT),
                            new Column(rows.getInt("DATA_TYPE"), rows.getString("TYPE_NAME"), rows.getInt("COLUMN_SIZE"),
                                    !"NO".equals(rows.getString("IS_NULLABLE")), rows.getString("COLUMN_DEF") != null));
                }
            }
            if (!columns.isEmpty()) {
                return columns;
            }
        }
        return Map.of();
    }

    private static Set<String> primaryKey(Connection connection, String qualified) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String table = qualified.substring(qualified.indexOf('.') + 1);
        if (meta.storesUpperCaseIdentifiers()) {
            table = table.toUpperCase(Locale.ROOT);
        }
        for (Where where : places(connection, qualified)) {
            Set<String> key = new TreeSet<>();
            try (ResultSet rows = meta.getPrimaryKeys(where.catalog, where.schema, table)) {
                while (rows.next()) {
                    key.add(rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            if (!key.isEmpty()) {
                return key;
            }
        }
        return Set.of();
    }

    private static List<String> problems(Map<String, Column> columns, Set<String> primaryKey) {
        List<String> problems = new ArrayList<>();
        COLUMNS.forEach((name, kind) -> {
            Column column = columns.get(name);
            if (column == null) {
                problems.add("column '" + name + "' is missing (expected " + describe(kind) + ")");
            } else if (!fits(kind, column)) {
                problems.add("column '" + name + "' is " + column.typeName + " but must be " + describe(kind));
            } else if (kind == Kind.BYTES && column.size > 0 && column.size < 1024) {
                problems.add("column 'name' holds " + column.size + " bytes but lock names take up to 1024");
            }
        });
        columns.forEach((name, column) -> {
            if (!COLUMNS.containsKey(name) && !column.nullable && !column.hasDefault) {
                problems.add("extra column '" + name + "' is NOT NULL without a default, so distlock cannot insert rows");
            }
        });
        if (problems.isEmpty() && !primaryKey.equals(Set.of("name", "ns"))) {
            problems.add("its primary key is " + (primaryKey.isEmpty() ? "missing" : primaryKey)
                    + " but must be (ns, name): that key is what makes two acquisitions of one name exclude each other");
        }
        return problems;
    }

    private static boolean fits(Kind kind, Column column) {
        return switch (kind) {
            case TEXT -> Set.of(Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR,
                    Types.LONGNVARCHAR, Types.CLOB).contains(column.type);
            case BYTES -> Set.of(Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB).contains(column.type)
                    || (column.type == Types.BINARY && "bytea".equalsIgnoreCase(column.typeName));
            case WHOLE -> column.type == Types.BIGINT;
        };
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case TEXT -> "a character type (VARCHAR)";
            case BYTES -> "a variable-length binary type (BYTEA, VARBINARY(1024))";
            case WHOLE -> "BIGINT";
        };
    }
}
