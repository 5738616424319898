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

    /** Creates what is missing (when allowed) and checks the table's shape. */
    static void prepare(Connection connection, LeaseTable table, boolean create, String where) throws SQLException {
        Map<String, Column> columns = columns(connection, table.table);
        if (columns.isEmpty()) {
            if (!create) {
                throw new LockBackendException("table " + table.table + " does not exist in " + where
                        + " and createTable is off; create it with distlock-jdbc's " + table.dialect.schemaResource
                        + " (io/distlock/jdbc/" + table.dialect.schemaResource + " in the jar)");
            }
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

    private static void run(Connection connection, String script) throws SQLException {
        boolean auto = connection.getAutoCommit();
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements(script)) {
                try {
                    statement.execute(sql);
                } catch (SQLException raced) {
                    // Two processes creating the table at once: PostgreSQL may refuse the loser's
                    // IF NOT EXISTS with a unique violation. The shape check below decides.
                    if (raced.getSQLState() == null || !raced.getSQLState().startsWith("23")
                            && !raced.getSQLState().startsWith("42P07")) {
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
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> result = new ArrayList<>();
        for (String sql : withoutComments.toString().split(";")) {
            if (!sql.isBlank()) {
                result.add(sql.strip());
            }
        }
        return result;
    }

    private record Column(int type, String typeName, int size, boolean nullable, boolean hasDefault) {
    }

    private record Where(String catalog, String schema, String table) {
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
