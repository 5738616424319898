package io.distlock.cli;

import io.distlock.redis.RedisServers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.Eventually;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher on a private, password-protected redis-server: the URI names the server, the
 * password comes from the backend's variable and never appears in what distlock prints.
 */
@Timeout(120)
class DistlockOnRedisIT {
    private static final String PASSWORD = "cli-test-s3cret";
    private static ServerProcess redis;

    @TempDir
    Path temp;

    @BeforeAll
    static void startRedis() {
        redis = RedisServers.start("--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close(); // stops it by pid and deletes its temporary directory
        }
    }

    private Launcher distlock(String password) {
        return new Launcher(temp, "redis://" + redis.host() + ":" + redis.port(),
                Map.of("DISTLOCK_REDIS_PASSWORD", password));
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
    void aDroppedConnectionPrintsOneSuspendedLineAndOneHeldAgainLine_andKillOnLostLeavesCmdRunning() throws IOException {
        Launcher distlock = distlock(PASSWORD);
        Path ready = temp.resolve("ready");
        Running holder = distlock.start("run", "--name", "blip", "--wait", "0", "--kill-on-lost", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line; echo finished", ready.toString());
        try {
            Launcher.awaitContent(ready);
            // From the server's side: every client connection of the redis-server is reset.
            assertThat(redis.resetClientConnections()).as("connections reset").isPositive();
            Eventually.until("a suspended line, then a held-again line", Duration.ofSeconds(30), () -> {
                String err = holder.errSoFar();
                return err.contains("is held again") && err.indexOf("is suspended") < err.indexOf("is held again")
                        && err.contains("is suspended");
            });
            assertThat(distlock.run("run", "--name", "blip", "--wait", "0", "--", "true").status())
                    .as("still exclusive").isEqualTo(75);

            holder.tell("done");
            Finished done = holder.finish();
            assertThat(done.status()).as("%s", done).isZero();
            assertThat(done.out()).as("CMD ran to its end, not killed").contains("finished");
            assertThat(done.errLines()).as("%s", done).hasSize(2);
            assertThat(done.errLines().get(0)).startsWith("distlock: lock 'blip' is suspended").doesNotContain(PASSWORD);
            assertThat(done.errLines().get(1)).isEqualTo("distlock: lock 'blip' is held again: the backend confirmed it");
        } finally {
            holder.kill();
        }
    }

    @Test
    void killNineOfDistlockTakesTheCommandAndItsChildAlong_beforeTheLeaseEnds() throws IOException {
        String err = CommandTree.assertKillNineTakesCommandAndChildAlong(distlock(PASSWORD), temp, "guarded");
        assertThat(err).contains("killed CMD and the 1 process(es) it started").doesNotContain(PASSWORD);
    }

    @Test
    void theCommandGetsNeitherThePasswordVariableNorThePasswordInTheUri() throws IOException {
        String uri = "redis://:" + PASSWORD + "@" + redis.host() + ":" + redis.port();
        Finished env = new Launcher(temp, uri, Map.of("DISTLOCK_REDIS_PASSWORD", PASSWORD)).run("run", "--name", "env",
                "--", "env");
        assertThat(env.status()).as("%s", env).isZero();
        assertThat(env.out()).contains("DISTLOCK_BACKEND=redis://:***@" + redis.host() + ":" + redis.port(),
                "DISTLOCK_NAME=env").doesNotContain("DISTLOCK_REDIS_PASSWORD", PASSWORD);
    }

    @Test
    void aWrongPasswordIsABackendFailureOnOneLine() throws IOException {
        Finished refused = distlock("not-the-password").run("status", "x");
        assertThat(refused.status()).as("%s", refused).isEqualTo(69);
        assertThat(refused.errLines()).hasSize(1);
        assertThat(refused.err()).startsWith("distlock: backend failed").doesNotContain("not-the-password");
    }
}
