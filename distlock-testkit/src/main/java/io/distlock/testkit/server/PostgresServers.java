package io.distlock.testkit.server;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Private PostgreSQL servers for tests: a data directory of their own (copied from one initdb per
 * JVM), a free loopback port, password authentication over TCP. PostgreSQL refuses to run as root,
 * so as root the server runs as the {@code postgres} user through {@code setpriv}, which execs, so
 * the process the fixture stops is the postmaster itself.
 */
public final class PostgresServers {
    public static final String INSTALL_HINT = "apt-get install -y postgresql";
    public static final String USER = "postgres";
    public static final String PASSWORD = "secret";
    public static final String DATABASE = "postgres";
    private static Path template;

    private PostgresServers() {
    }

    /** A started server. */
    public static ServerProcess start() {
        return builder().start();
    }

    /** The JDBC URL of the server's {@code postgres} database, without credentials. */
    public static String url(ServerProcess server) {
        return url(server, DATABASE);
    }

    public static String url(ServerProcess server, String database) {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database;
    }

    /** A distlock URI with the credentials in it. */
    public static String uri(ServerProcess server) {
        return TestBackend.POSTGRES.uri(server);
    }

    public static Connection connect(ServerProcess server) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", PASSWORD);
        properties.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(url(server), properties);
    }

    /**
     * Stops at once, as an operator's fast shutdown does (SIGINT: sessions are ended): SIGTERM would
     * wait for every client, and a pool never goes away by itself.
     */
    public static void stopFast(ServerProcess server) {
        if (server.isRunning()) {
            run(List.of("kill", "-INT", Long.toString(server.pid())));
        }
        server.stop();
    }

    public static ServerProcess.Builder builder() {
        Path bin = binDirectory();
        boolean root = isRoot();
        ServerProcess.Builder builder = root ? ServerProcess.builder("setpriv").installHint("apt-get install -y util-linux")
                : ServerProcess.builder("postgres").searchDirectories(List.of(bin.toString())).installHint(INSTALL_HINT);
        return builder
                .arguments((port, dir) -> {
                    Path data = dir.resolve("data");
                    if (!Files.exists(data)) {
                        copy(template(bin, root), data);
                        if (root) {
                            run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
                        }
                    }
                    List<String> args = new ArrayList<>();
                    if (root) {
                        args.addAll(List.of("--reuid=postgres", "--regid=postgres", "--init-groups", "--",
                                bin.resolve("postgres").toString()));
                    }
                    args.addAll(List.of("-D", data.toString(), "-p", String.valueOf(port), "-k", dir.toString(),
                            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=off",
                            "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "shared_buffers=16MB"));
                    return args;
                })
                .readiness((host, port) -> {
                    Properties properties = new Properties();
                    properties.setProperty("user", USER);
                    properties.setProperty("password", PASSWORD);
                    properties.setProperty("connectTimeout", "1");
                    try (Connection connection = DriverManager.getConnection(
                            "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE, properties);
                         Statement statement = connection.createStatement()) {
                        return statement.execute("SELECT 1");
                    } catch (SQLException notYet) {
                        return false;
                    }
                })
                .startTimeout(java.time.Duration.ofSeconds(60));
    }

    static Path binDirectory() {
        Path base = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                Path found = versions.map(v -> v.resolve("bin"))
                        .filter(bin -> Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb")))
                        .max(Comparator.comparing(bin -> versionOf(bin)))
                        .orElse(null);
                if (found != null) {
                    return found;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("the PostgreSQL server binaries (initdb, postgres) were not found under "
                + base + "; the tests need them: install them with: " + INSTALL_HINT);
    }

    private static int versionOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** One initdb per JVM (it takes seconds); each server copies it. */
    private static synchronized Path template(Path bin, boolean root) {
        if (template != null) {
            return template;
        }
        try {
            Path dir = Files.createTempDirectory("distlock-pg-template-");
            Path password = dir.resolve("password");
            Files.writeString(password, PASSWORD + "\n", StandardCharsets.UTF_8);
            if (root) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            List<String> command = new ArrayList<>();
            if (root) {
                command.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
            }
            command.addAll(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + password, "-E", "UTF8",
                    "--locale=C", "--no-sync"));
            run(command);
            template = dir.resolve("data");
            Path templateDir = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(templateDir)));
            return template;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copy(Path from, Path to) {
        run(List.of("cp", "-a", from.toString(), to.toString()));
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp directory is harmless.
        }
    }

    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
