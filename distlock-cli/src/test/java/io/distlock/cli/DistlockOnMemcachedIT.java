package io.distlock.cli;

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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher on two private memcached servers named by a {@code memcached://} URI. */
@Timeout(120)
class DistlockOnMemcachedIT {
    private static ServerProcess first;
    private static ServerProcess second;

    @TempDir
    Path temp;

    @BeforeAll
    static void startMemcached() {
        first = TestBackend.MEMCACHED.start();
        second = TestBackend.MEMCACHED.start();
    }

    @AfterAll
    static void stopMemcached() {
        if (first != null) {
            first.close(); // stops it by pid and deletes its temporary directory
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void oneRunHoldsTheOtherExits75() throws IOException {
        Launcher distlock = new Launcher(temp, TestBackend.MEMCACHED.uri(List.of(first, second), Map.of("namespace", "cli")), Map.of());
        Path ready = temp.resolve("ready");
        Running holder = distlock.start("run", "--name", "deploy/prod", "--wait", "0", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line", ready.toString());
        try {
            Launcher.awaitContent(ready);

            Finished busy = distlock.run("run", "--name", "deploy/prod", "--wait", "0", "--", "true");
            assertThat(busy.status()).as("%s", busy).isEqualTo(75);
            assertThat(busy.errLines()).hasSize(1);
            assertThat(busy.err()).contains("'deploy/prod'", "pid " + holder.pid());
            assertThat(distlock.run("status", "deploy/prod").status()).as("held").isZero();

            holder.tell("done");
            assertThat(holder.finish().status()).isZero();
            assertThat(distlock.run("status", "deploy/prod").status()).as("released").isEqualTo(1);
        } finally {
            holder.kill();
        }
    }

    @Test
    void serversFromTheSeedsVariable() throws IOException {
        Launcher distlock = new Launcher(temp, "memcached:?namespace=cli-env",
                Map.of("MEMCACHEDLOCK_SERVERS", first.host() + ":" + first.port()));
        assertThat(distlock.run("run", "--name", "nightly", "--wait", "0", "--", "true").status()).isZero();
        Finished list = distlock.run("list");
        assertThat(list.status()).as("%s: what memcached cannot do is a usage error, not a bug (70)", list).isEqualTo(64);
        assertThat(list.errLines()).hasSize(1);
        assertThat(list.err()).contains("cannot enumerate");
    }
}
