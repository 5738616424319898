package io.distlock.cli;

import io.distlock.LockBackends;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run}'s flock and timeout(1) habits in this JVM: {@code -E} and its bad values, bad
 * {@code --timeout}/{@code --kill-after} values, and how the busy line recognizes a holder that
 * is this process's own ancestor. What needs processes and signals is in {@link DistlockFlockParityIT}.
 */
class RunOptionsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        return new Main(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void conflictExitCodeIsTheStatusOfABusyLock(@TempDir Path directory) {
        Map<String, String> files = Map.of(BackendOption.VARIABLE, "file:" + directory);
        Path ran = directory.resolve("ran");
        try (LockManager holder = LockManager.builder(LockBackends.open("file:" + directory)).build()) {
            holder.acquire("job");
            assertThat(run(files, "run", "-E", "3", "--wait", "0", "--name", "job", "--", "touch", ran.toString()))
                    .isEqualTo(3);
            assertThat(err()).startsWith("distlock: lock 'job' is held by ").doesNotContain("ancestor");
            assertThat(run(files, "run", "--conflict-exit-code", "0", "--wait", "0", "--name", "job", "--", "touch",
                    ran.toString())).isZero();
            assertThat(run(files, "run", "--wait", "0", "--name", "job", "--", "touch", ran.toString()))
                    .as("the default, EX_TEMPFAIL").isEqualTo(75);
        }
        assertThat(ran).as("CMD never ran").doesNotExist();
        assertThat(run(files, "run", "-E", "3", "--wait", "0", "--name", "job", "--", "sh", "-c", "exit 5"))
                .as("CMD's own status when the lock is free").isEqualTo(5);
    }

    @Test
    void aConflictExitCodeOutside0To255IsAUsageErrorNamingIt() {
        Map<String, String> memory = Map.of(BackendOption.VARIABLE, "memory:");
        for (String bad : new String[] {"256", "-1", "x", "1.5", ""}) {
            assertThat(run(memory, "run", "-E", bad, "--", "true")).as("-E '%s'", bad).isEqualTo(64);
            assertThat(err().lines()).hasSize(1);
            assertThat(err()).startsWith("distlock: ").contains("--conflict-exit-code", "'" + bad + "'", "0 to 255");
        }
        assertThat(run(memory, "run", "-E", "255", "--", "true")).isZero();
    }

    @Test
    void badTimeLimitsAreUsageErrorsNamingThem() {
        Map<String, String> memory = Map.of(BackendOption.VARIABLE, "memory:");
        assertThat(run(memory, "run", "--timeout", "0", "--", "true")).isEqualTo(64);
        assertThat(err()).contains("--timeout", "'0'");
        assertThat(run(memory, "run", "--timeout", "forever", "--", "true")).isEqualTo(64);
        assertThat(err()).contains("--timeout", "'forever'");
        assertThat(run(memory, "run", "--kill-after", "5", "--", "true")).isEqualTo(64);
        assertThat(err()).contains("--kill-after", "'5'");
        assertThat(run(memory, "run", "--timeout", "400d", "--", "true")).isEqualTo(64);
        assertThat(err()).contains("--timeout", "365 days");
    }

    @Test
    void aCommandWithinItsTimeLimitExitsWithItsOwnStatus() {
        assertThat(run(Map.of(BackendOption.VARIABLE, "memory:"), "run", "--timeout", "1h", "--kill-after", "1s", "--",
                "sh", "-c", "exit 7")).isEqualTo(7);
        assertThat(err()).isEmpty();
    }

    @Test
    void theHolderIsAnAncestorOnlyOnThisHostWithItsPidAndStartedBeforeTheLock() throws IOException {
        ProcessHandle self = ProcessHandle.current();
        ProcessHandle parent = self.parent().orElseThrow();
        ProcessHandle grandparent = parent.parent().orElseThrow();
        Instant now = Instant.now();
        String host = Holders.localHostName();

        assertThat(Holders.isThisProcessOrAncestor(holder(host, parent.pid(), now), host, self)).isTrue();
        assertThat(Holders.isThisProcessOrAncestor(holder(host, grandparent.pid(), now), host, self)).isTrue();
        assertThat(Holders.isThisProcessOrAncestor(holder(host, self.pid(), now), host, self)).isTrue();
        assertThat(Holders.isThisProcessOrAncestor(holder("elsewhere", parent.pid(), now), host, self))
                .as("the same pid on another host").isFalse();
        assertThat(Holders.isThisProcessOrAncestor(holder(host, parent.pid(),
                parent.info().startInstant().orElseThrow().minusSeconds(60)), host, self))
                .as("a lock taken before the ancestor started: a holder that died, its pid reused").isFalse();

        Process child = new ProcessBuilder("sh", "-c", "read line").start();
        try {
            assertThat(Holders.isThisProcessOrAncestor(holder(host, child.pid(), now), host, self))
                    .as("a child is no ancestor").isFalse();
        } finally {
            child.destroyForcibly();
        }
        assertThat(Holders.nestedHint(holder(host, parent.pid(), now)))
                .contains("pid " + parent.pid() + " on this host", "ancestor", "use another name", "reentrant");
        assertThat(Holders.nestedHint(holder("elsewhere", parent.pid(), now))).isEmpty();
    }

    private static LockInfo holder(String host, long pid, Instant acquiredAt) {
        return new LockInfo("job", "owner-1", host, pid, "main", acquiredAt, acquiredAt.plusSeconds(20), 1);
    }
}
