package io.distlock.cli;

import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.server.RedisServers;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule for reaching the backend: a run that may wait keeps trying to connect within its wait
 * (a loaded host, a server that is restarting); a run that may not wait gets exit 69 at once.
 * Tried as a user would: the server comes up only after the run has started and failed to connect.
 */
@Timeout(120)
class DistlockConnectWithinWaitIT {
    @TempDir
    Path temp;

    @Test
    void aRunThatMayWaitConnectsToAServerThatComesUpLater() throws IOException {
        int port = ServerProcess.freePort();
        Launcher distlock = new Launcher(temp, TestBackend.REDIS.uri(port, Map.of("connectTimeout", "500ms")), Map.of());
        Running late = distlock.start("run", "--name", "late", "--wait", "60s", "--", "true");
        Path err = temp.resolve("err-" + lastSequence(temp) + ".txt");
        Launcher.await("the run says it cannot reach the backend yet", () -> contains(err, "cannot reach the backend yet"));

        try (ServerProcess redis = RedisServers.builder().port(port).start()) {
            Finished finished = late.finish();
            assertThat(finished.status()).as("%s", finished).isZero();
            assertThat(finished.errLines()).hasSize(1);
            assertThat(redis.isRunning()).isTrue();
        }
    }

    @Test
    void aRunThatMayNotWaitFailsAtOnceWith69() throws IOException {
        int port = ServerProcess.freePort();
        Launcher distlock = new Launcher(temp, TestBackend.REDIS.uri(port, Map.of("connectTimeout", "500ms")), Map.of());
        Finished tryOnce = distlock.run("run", "--name", "now", "--wait", "0", "--", "true");
        assertThat(tryOnce.status()).as("%s", tryOnce).isEqualTo(69);
        assertThat(tryOnce.err()).doesNotContain("trying again");
    }

    private static int lastSequence(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("err-"))
                    .mapToInt(n -> Integer.parseInt(n.substring(4, n.length() - 4))).max().orElseThrow();
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }
}
