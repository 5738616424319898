package io.distlock.cli;

import io.distlock.testkit.server.RedisServers;
import io.distlock.testkit.server.TestBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.Eventually;
import io.distlock.testkit.server.ServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Writes ARGV[2] locks in the Redis backend's own record ({@code RedisKeys}, {@code HolderCodec}):
     * the hash {@code <namespace>/lock:<name>} with owner, token and holder, and a lease of ARGV[3] ms.
     */
    private static final String FILL_LOCKS = """
            local now = redis.call('time')
            local holder = string.format('%d%06d000', now[1], now[2]) .. ' 4242 filler-host main'
            for i = 1, tonumber(ARGV[2]) do
              local key = ARGV[1] .. '/lock:job-' .. string.format('%07d', i)
              redis.call('hset', key, 'owner', 'owner-' .. i, 'token', tostring(i), 'holder', holder)
              redis.call('pexpire', key, ARGV[3])
            end
            return tonumber(ARGV[2])
            """;

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
        return new Launcher(temp, TestBackend.REDIS.uri(redis),
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

    /**
     * Issue #23: on this 2-core machine with two CPU-bound processes beside them, 12 runs started at
     * once all exited 69 ("no answer within PT4S (connectTimeout PT2S + timeout PT2S)"): a cold JVM's
     * first connect loads and starts Netty, and a connect that timed out was not retried within
     * --wait. Each must now reach the server within its wait and run its command.
     */
    @Test
    @Timeout(300)
    void twelveRunsAtOnceBesideTwoCpuHogsAllRunTheirCommand() throws Exception {
        Launcher distlock = distlock(PASSWORD);
        List<Process> hogs = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                hogs.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
            List<Running> runs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                runs.add(distlock.start("run", "--name", "load", "--expires", "30s", "--wait", "120s", "--", "true"));
            }
            for (Running run : runs) {
                Finished done = run.finish(Duration.ofSeconds(150));
                assertThat(done.status()).as("%s", done).isZero();
            }
        } finally {
            hogs.forEach(Process::destroyForcibly);
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
            assertThat(redis.dropConnections()).as("connections reset").isPositive();
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

    /**
     * Issue #20 item 8: 300,000 locks made {@code list} read them all (784 MB, then exit 69; with
     * {@code -Xmx64m} an {@code OutOfMemoryError}). Here 100,000 locks under a 32 MB heap: before
     * the limit the JVM ran out of memory (exit 1); now the default limit's page is printed within
     * the launcher's deadline, with the line that says more exist.
     */
    @Test
    void listOfManyLocksStaysWithinASmallHeapAndSaysMoreExist() throws IOException {
        int count = 100_000;
        // A database of its own, so the other tests' SCANs never meet these keys.
        RedisURI database = RedisURI.builder().withHost(redis.host()).withPort(redis.port())
                .withPassword(PASSWORD.toCharArray()).withDatabase(3).build();
        RedisClient client = RedisClient.create(database);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            Long written = connection.sync().eval(FILL_LOCKS, ScriptOutputType.INTEGER, new String[0],
                    "distlock", Integer.toString(count), "600000");
            assertThat(written).isEqualTo(count);
            try {
                // Generous timeouts: this checks memory, on a loaded 2-core machine, not timeouts.
                Finished listed = new Launcher(temp, "redis://" + redis.host() + ":" + redis.port()
                        + "/3?connectTimeout=20s&timeout=20s", Map.of("DISTLOCK_REDIS_PASSWORD", PASSWORD, "JAVA_TOOL_OPTIONS", "-Xmx32m")).run("list");
                assertThat(listed.status()).as("%s", listed).isZero();
                assertThat(listed.out().lines()).as("a header and the default limit's locks")
                        .hasSize(1 + ListCommand.DEFAULT_LIMIT);
                assertThat(listed.err()).contains("distlock: more locks exist than the 1000 shown (--limit 1000)")
                        .doesNotContain("OutOfMemoryError");
            } finally {
                connection.sync().flushdb();
            }
        } finally {
            client.shutdown();
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
