package io.distlock.cli;

import io.distlock.testkit.server.TestBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher with a {@code zookeeper://} URI, on a private ZooKeeper server. */
@Timeout(120)
class DistlockOnZooKeeperIT {
    private static ServerProcess zookeeper;

    @TempDir
    Path temp;

    @BeforeAll
    static void startZooKeeper() {
        zookeeper = TestBackend.ZOOKEEPER.start();
    }

    @AfterAll
    static void stopZooKeeper() {
        if (zookeeper != null) {
            zookeeper.close(); // stops it by pid and deletes its temporary directory
        }
    }

    @Test
    void oneRunHoldsTheOtherExits75_andListShowsTheHolder() throws IOException {
        Launcher distlock = new Launcher(temp, TestBackend.ZOOKEEPER.uri(zookeeper) + "/cli");
        Path ready = temp.resolve("ready");
        Running holder = distlock.start("run", "--name", "deploy/prod", "--wait", "0", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line", ready.toString());
        try {
            Launcher.awaitContent(ready);

            Finished busy = distlock.run("run", "--name", "deploy/prod", "--wait", "0", "--", "true");
            assertThat(busy.status()).as("%s", busy).isEqualTo(75);
            assertThat(busy.err()).contains("'deploy/prod'", "pid " + holder.pid());

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
}
