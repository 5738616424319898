package io.distlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher on a private PostgreSQL (password authentication over TCP): the URI names the server
 * and the user, the password comes from DISTLOCK_JDBC_PASSWORD and never appears in what distlock prints.
 */
@Timeout(120)
class DistlockOnPostgresIT {
    private static final String PASSWORD = TestBackend.POSTGRES.password();
    private static ServerProcess postgres;

    @TempDir
    Path temp;

    @BeforeAll
    static void startPostgres() {
        postgres = TestBackend.POSTGRES.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            TestBackend.POSTGRES.stop(postgres);
            postgres.close(); // deletes its temporary directory
        }
    }

    private Launcher distlock(String password) {
        return new Launcher(temp, TestBackend.POSTGRES.uriWithoutPassword(postgres.port(), Map.of()),
                TestBackend.POSTGRES.passwordEnvironment(password));
    }

    @Test
    void oneRunHoldsTheOtherExits75_andThePasswordStaysSecret() throws IOException {
        Launcher distlock = distlock(PASSWORD);
        Path ready = temp.resolve("ready");
        Running holder = distlock.start("run", "--name", "deploy/prod", "--wait", "0", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line", ready.toString());
        try {
            Launcher.awaitContent(ready);

            Finished busy = distlock.run("run", "--name", "deploy/prod", "--wait", "0", "--", "true");
            assertThat(busy.status()).as("%s", busy).isEqualTo(75);
            assertThat(busy.errLines()).hasSize(1);
            assertThat(busy.err()).contains("'deploy/prod'", "pid " + holder.pid()).doesNotContain(PASSWORD);

            JsonNode locks = new ObjectMapper().readTree(distlock.run("list", "--json", "deploy/").out());
            assertThat(locks).hasSize(1);
            assertThat(locks.get(0).get("pid").asLong()).isEqualTo(holder.pid());

            holder.tell("done");
            assertThat(holder.finish().status()).isZero();
            assertThat(distlock.run("status", "deploy/prod").status()).as("released").isEqualTo(1);
        } finally {
            holder.kill();
        }
    }

    @Test
    void aWrongPasswordIsABackendFailureOnOneLine() throws IOException {
        Finished refused = distlock("not-the-password").run("status", "x");
        assertThat(refused.status()).as("%s", refused).isEqualTo(69);
        assertThat(refused.errLines()).hasSize(1);
        assertThat(refused.err()).startsWith("distlock: backend failed").doesNotContain("not-the-password");
    }
}
