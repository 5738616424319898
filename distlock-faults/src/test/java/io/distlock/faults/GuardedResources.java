package io.distlock.faults;

import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.ServerProcess;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The resources a workload client updates inside the lock: an unfenced set, and two fenced ones (a
 * file register and a PostgreSQL row).
 */
final class GuardedResources {
    private GuardedResources() {
    }

    /**
     * Jepsen's lock-set, unfenced: read the set, add an element, write it back. Nothing but the lock
     * keeps two read-modify-writes apart, so an element written and later missing is a lost update,
     * caused by two holders in the section at once. Each write replaces the file atomically (a
     * rename), so a client killed mid-write loses nothing: every lost element is an overlap's.
     */
    static final class LockSet {
        private final Path file;

        LockSet(Path file) {
            this.file = file;
        }

        Set<String> read() throws IOException {
            return Files.exists(file) ? new LinkedHashSet<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                    : new LinkedHashSet<>();
        }

        void write(Set<String> elements, String writer) throws IOException {
            Path temporary = file.resolveSibling(file.getFileName() + "." + writer + ".tmp");
            Files.write(temporary, elements, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The fenced resource: a file register that remembers the highest token it has seen and refuses
     * a read or a write with a lower one (a storage service checking fencing tokens, as Kleppmann
     * describes). Every access is one compare-and-act under an exclusive {@link FileChannel} lock on
     * the register's lock file, so it is atomic across processes; the value file is replaced by a
     * rename, so a client killed mid-write leaves the previous value. A read records its token too:
     * without that, a stale holder that read before a newer holder's read but writes after it would
     * still pass (its token is higher than every token written so far) and lose the newer write.
     */
    static final class FencedRegister {
        private final Path lockFile;
        private final Path valueFile;

        FencedRegister(Path directory) throws IOException {
            Files.createDirectories(directory);
            this.lockFile = directory.resolve("register.lock");
            this.valueFile = directory.resolve("register.value");
        }

        /** The elements, or null if {@code token} is lower than one seen before (refused). */
        @SuppressWarnings("try")
        Set<String> read(long token) throws IOException {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Value value = load();
                if (token < value.highest) {
                    return null;
                }
                if (token > value.highest) {
                    store(new Value(token, value.elements), "r");
                }
                return value.elements;
            }
        }

        /** Writes {@code elements} unless {@code token} is lower than one seen before; false if refused. */
        @SuppressWarnings("try")
        boolean write(long token, Set<String> elements, String writer) throws IOException {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Value value = load();
                if (token < value.highest) {
                    return false;
                }
                store(new Value(token, elements), writer);
                return true;
            }
        }

        /** The final content, for the checker (read once every client is gone). */
        Set<String> elements() throws IOException {
            return load().elements;
        }

        private Value load() throws IOException {
            if (!Files.exists(valueFile)) {
                return new Value(Long.MIN_VALUE, new LinkedHashSet<>());
            }
            List<String> lines = Files.readAllLines(valueFile, StandardCharsets.UTF_8);
            return new Value(Long.parseLong(lines.get(0)), new LinkedHashSet<>(lines.subList(1, lines.size())));
        }

        private void store(Value value, String writer) throws IOException {
            List<String> lines = new ArrayList<>();
            lines.add(Long.toString(value.highest));
            lines.addAll(value.elements);
            Path temporary = valueFile.resolveSibling("register." + writer + "." + ProcessHandle.current().pid() + ".tmp");
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
            Files.move(temporary, valueFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        private record Value(long highest, Set<String> elements) {
        }
    }

    /**
     * The second fenced resource: a row in a PostgreSQL database, fenced the way an application
     * fences a real database write, by a condition on the row in the statement itself. Each access
     * is ONE auto-committed statement, so the compare and the write happen under the row's lock
     * with no transaction left open across the work (a client paused or killed holds nothing):
     * <pre>{@code
     * read:  UPDATE guarded SET max_token = ? WHERE id = ? AND max_token <= ? RETURNING value
     * write: UPDATE guarded SET value = ?, max_token = ? WHERE id = ? AND max_token <= ?
     * }</pre>
     * No row updated means refused. The read records its token for the same reason as the file
     * register's: a stale holder that read before a newer holder's read but writes after it would
     * otherwise pass. An equal token passes (a holder writes what it read), so repeated tokens defeat
     * it, as they defeat the register. The value is the set's elements, one per line.
     */
    static final class FencedRow implements AutoCloseable {
        static final String TABLE = "guarded";
        private final Connection connection;
        private final String id;
        private final PreparedStatement read;
        private final PreparedStatement write;

        /** {@code url} is a JDBC URL with its credentials; {@code id} the row (one per run). */
        FencedRow(String url, String id) throws SQLException {
            this.connection = DriverManager.getConnection(url);
            this.id = id;
            this.read = connection.prepareStatement("UPDATE " + TABLE + " SET max_token = ? WHERE id = ? AND max_token <= ? RETURNING value");
            this.write = connection.prepareStatement("UPDATE " + TABLE + " SET value = ?, max_token = ? WHERE id = ? AND max_token <= ?");
        }

        /** Creates the table if needed and the run's row, empty, with no token seen yet. */
        static void create(String url, String id) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 Statement statement = connection.createStatement();
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, '', ?)")) {
                statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                        + " (id TEXT PRIMARY KEY, value TEXT NOT NULL, max_token BIGINT NOT NULL)");
                insert.setString(1, id);
                insert.setLong(2, Long.MIN_VALUE);
                insert.executeUpdate();
            }
        }

        /** The final content, for the checker. */
        static Set<String> elements(String url, String id) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement select = connection.prepareStatement("SELECT value FROM " + TABLE + " WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalStateException("the fenced row " + id + " is missing");
                    }
                    return parse(row.getString(1));
                }
            }
        }

        /** The elements, or null if {@code token} is lower than one seen before (refused). */
        Set<String> read(long token) throws SQLException {
            read.setLong(1, token);
            read.setString(2, id);
            read.setLong(3, token);
            try (ResultSet row = read.executeQuery()) {
                return row.next() ? parse(row.getString(1)) : null;
            }
        }

        /** Writes {@code elements} unless {@code token} is lower than one seen before; false if refused. */
        boolean write(long token, Set<String> elements) throws SQLException {
            write.setString(1, String.join("\n", elements));
            write.setLong(2, token);
            write.setString(3, id);
            write.setLong(4, token);
            return write.executeUpdate() == 1;
        }

        private static Set<String> parse(String value) {
            Set<String> elements = new LinkedHashSet<>();
            for (String element : value.split("\n")) {
                if (!element.isEmpty()) {
                    elements.add(element);
                }
            }
            return elements;
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    /**
     * The private PostgreSQL that holds the fenced rows (distlock-jdbc's {@link PostgresServers}), one
     * per suite, a row per run. It is never a fault's target: it stands for the application's own
     * database, separate from the lock service.
     */
    static final class RowDatabase implements AutoCloseable {
        private final ServerProcess server = PostgresServers.start();

        /** A JDBC URL with credentials and bounds, for clients and the checker. */
        String url() {
            return PostgresServers.url(server) + "?user=" + PostgresServers.USER + "&password=" + PostgresServers.PASSWORD
                    + "&connectTimeout=30&socketTimeout=60";
        }

        @Override
        public void close() {
            PostgresServers.stopFast(server);
            server.close();
        }
    }
}
