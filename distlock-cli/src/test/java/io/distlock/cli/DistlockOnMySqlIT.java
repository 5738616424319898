package io.distlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher with a {@code jdbc:mysql://} URI: MySQL Connector/J from the distribution's lib/ and
 * distlock-jdbc's MySQL path (a counter table for the tokens), on a private MariaDB server reached
 * as a MySQL one (no MySQL server is packaged for this machine). The password comes from
 * DISTLOCK_JDBC_PASSWORD and never appears in what distlock prints.
 */
@Timeout(120)
class DistlockOnMySqlIT {
    private static final String PASSWORD = TestBackend.MYSQL.password();
    private static ServerProcess mariadb;

    @TempDir
    Path temp;

    @BeforeAll
    static void startServer() {
        mariadb = TestBackend.MYSQL.start();
    }

    @AfterAll
    static void stopServer() {
        if (mariadb != null) {
            mariadb.close(); // stops it and deletes its temporary directory
        }
    }

    private Launcher distlock(int port, String password) {
        return new Launcher(temp, TestBackend.MYSQL.uriWithoutPassword(port, Map.of()),
                TestBackend.MYSQL.passwordEnvironment(password));
    }

    @Test
    void oneRunHoldsTheOtherExits75_tokensFromTheCounter_andThePasswordStaysSecret() throws IOException, SQLException {
        Launcher distlock = distlock(mariadb.port(), PASSWORD);
        Path ready = temp.resolve("ready");
        Running holder = distlock.start("run", "--name", "zato/report", "--wait", "0", "--", "sh", "-c",
                "echo $DISTLOCK_TOKEN > \"$0\"; read line", ready.toString());
        try {
            long token = Long.parseLong(Launcher.awaitContent(ready));
            try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT last_token FROM distlock_locks_token_seq WHERE id = 1")) {
                assertThat(rows.next()).as("the MySQL path's counter").isTrue();
                assertThat(rows.getLong(1)).as("the token is the counter's last value").isEqualTo(token);
            }

            Finished busy = distlock.run("run", "--name", "zato/report", "--wait", "0", "--", "true");
            assertThat(busy.status()).as("%s", busy).isEqualTo(75);
            assertThat(busy.errLines()).hasSize(1);
            assertThat(busy.err()).contains("'zato/report'", "pid " + holder.pid()).doesNotContain(PASSWORD);

            JsonNode locks = new ObjectMapper().readTree(distlock.run("list", "--json", "zato/").out());
            assertThat(locks).hasSize(1);
            assertThat(locks.get(0).get("token").asLong()).isEqualTo(token);

            holder.tell("done");
            assertThat(holder.finish().status()).isZero();
            assertThat(distlock.run("status", "zato/report").status()).as("released").isEqualTo(1);
        } finally {
            holder.kill();
        }
    }

    @Test
    void aWrongPasswordIsABackendFailureOnOneLine() throws IOException {
        Finished refused = distlock(mariadb.port(), "not-the-password").run("status", "x");
        assertThat(refused.status()).as("%s", refused).isEqualTo(69);
        assertThat(refused.errLines()).hasSize(1);
        assertThat(refused.err()).startsWith("distlock: backend failed").contains("Access denied")
                .doesNotContain("not-the-password");
    }

    @Test
    void aServerThatIsDownIsABackendFailureOnOneLine_withinTheConnectTimeout() throws IOException {
        long start = System.nanoTime();
        Finished down = distlock(ServerProcess.freePort(), PASSWORD).run("status", "x");
        assertThat(down.status()).as("%s", down).isEqualTo(69);
        assertThat(down.errLines()).hasSize(1);
        assertThat(down.err()).startsWith("distlock: backend failed").doesNotContain(PASSWORD);
        // distlock.connectTimeout (5 s by default), plus the JVM's start on a loaded machine.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
}
