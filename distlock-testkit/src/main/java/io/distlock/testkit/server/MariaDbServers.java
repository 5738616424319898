package io.distlock.testkit.server;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Private MariaDB servers for tests: a data directory of their own (copied from one
 * mariadb-install-db per JVM), a free loopback port, its own socket, and {@code --no-defaults} so
 * the machine's my.cnf (and its shared server's data directory) is never read. A user
 * {@value #USER} with password {@value #PASSWORD} owns the database {@value #DATABASE}.
 */
public final class MariaDbServers {
    public static final String INSTALL_HINT = "apt-get install -y mariadb-server";
    public static final String USER = "distlock";
    public static final String PASSWORD = "secret";
    public static final String DATABASE = "distlock";
    /** Connector/J 4 asks for TLS by default; these private servers have none. Their URIs already end in this query. */
    public static final String NO_TLS = "sslMode=disable";
    /** The same for MySQL Connector/J, whose {@code sslMode} takes other values (its default falls back to plain text anyway). */
    public static final String MYSQL_NO_TLS = "sslMode=DISABLED";
    private static Path template;

    private MariaDbServers() {
    }

    public static ServerProcess start() {
        return start(new String[0]);
    }

    /** A started server with {@code extraArguments} for mariadbd (for example its TLS files). */
    public static ServerProcess start(String... extraArguments) {
        ServerProcess server = builder(extraArguments).start();
        try (Connection connection = root(server); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
            statement.execute("CREATE USER IF NOT EXISTS '" + USER + "'@'127.0.0.1' IDENTIFIED BY '" + PASSWORD + "'");
            statement.execute("GRANT ALL ON *.* TO '" + USER + "'@'127.0.0.1'");
        } catch (SQLException e) {
            server.close();
            throw new IllegalStateException("could not prepare MariaDB on port " + server.port() + ": " + e, e);
        }
        return server;
    }

    public static String url(ServerProcess server) {
        return "jdbc:mariadb://127.0.0.1:" + server.port() + "/" + DATABASE + "?" + NO_TLS;
    }

    /** A distlock URI with the credentials in it, through MariaDB Connector/J. */
    public static String uri(ServerProcess server) {
        return TestBackend.MARIADB.uri(server);
    }

    /**
     * The same server through MySQL Connector/J ({@code jdbc:mysql://}), which takes distlock-jdbc's
     * MySQL path on it: Connector/J reports every server as MySQL. No TLS, as {@link #NO_TLS} says in
     * MariaDB's driver's words.
     */
    public static String mysqlUri(ServerProcess server) {
        return TestBackend.MYSQL.uri(server);
    }

    public static Connection connect(ServerProcess server) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", PASSWORD);
        return DriverManager.getConnection(url(server), properties);
    }

    public static Connection root(ServerProcess server) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "root");
        properties.setProperty("connectTimeout", "2000");
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + server.port() + "/?" + NO_TLS, properties);
    }

    public static ServerProcess.Builder builder() {
        return builder(new String[0]);
    }

    public static ServerProcess.Builder builder(String... extraArguments) {
        String daemon = ServerProcessBinaries.first("mariadbd", "mysqld");
        return ServerProcess.builder(daemon)
                .installHint(INSTALL_HINT)
                .arguments((port, dir) -> {
                    Path data = dir.resolve("data");
                    if (!Files.exists(data)) {
                        PostgresServers.copy(template(), data);
                    }
                    List<String> args = new ArrayList<>(List.of("--no-defaults", "--datadir=" + data,
                            "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                            "--pid-file=" + dir.resolve("mysqld.pid"), "--skip-log-bin", "--innodb-buffer-pool-size=32M",
                            "--innodb-flush-log-at-trx-commit=2", "--max-connections=300", "--skip-name-resolve"));
                    if ("root".equals(System.getProperty("user.name"))) {
                        args.add("--user=root");
                    }
                    args.addAll(List.of(extraArguments));
                    return args;
                })
                .readiness((host, port) -> {
                    Properties properties = new Properties();
                    properties.setProperty("user", "root");
                    properties.setProperty("connectTimeout", "1000");
                    try (Connection connection = DriverManager.getConnection("jdbc:mariadb://" + host + ":" + port + "/?" + NO_TLS,
                            properties); Statement statement = connection.createStatement()) {
                        return statement.execute("SELECT 1");
                    } catch (SQLException notYet) {
                        return false;
                    }
                })
                .startTimeout(java.time.Duration.ofSeconds(60));
    }

    private static synchronized Path template() {
        if (template != null) {
            return template;
        }
        String installer = ServerProcessBinaries.first("mariadb-install-db", "mysql_install_db");
        try {
            Path dir = Files.createTempDirectory("distlock-mariadb-template-");
            List<String> command = new ArrayList<>(List.of(installer, "--no-defaults", "--datadir=" + dir.resolve("data"),
                    "--auth-root-authentication-method=normal", "--skip-test-db"));
            if ("root".equals(System.getProperty("user.name"))) {
                command.add("--user=root");
            }
            PostgresServers.run(command);
            template = dir.resolve("data");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> PostgresServers.delete(dir)));
            return template;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finds one of several names for a binary, failing with the install command when none is there. */
    static final class ServerProcessBinaries {
        private ServerProcessBinaries() {
        }

        static String first(String... names) {
            for (String name : names) {
                for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin")) {
                    if (Files.isExecutable(Path.of(dir, name))) {
                        return name;
                    }
                }
            }
            throw new IllegalStateException(String.join(" or ", names) + " was not found; the tests need it: install it "
                    + "with: " + INSTALL_HINT);
        }
    }
}
