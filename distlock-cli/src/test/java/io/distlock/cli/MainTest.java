package io.distlock.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line in this JVM, on the in-memory backend: parsing, exit codes and messages. What
 * needs several processes (exclusion, signals) is in {@link DistlockLauncherIT}.
 */
class MainTest {
    private static final Map<String, String> MEMORY = Map.of(BackendOption.VARIABLE, "memory:test");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return new Main(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private void assertOneLineError(String... fragments) {
        assertThat(err()).endsWith("\n");
        assertThat(err().lines()).hasSize(1);
        assertThat(err()).startsWith("distlock: ").contains(fragments).doesNotContain("\tat ", "Exception");
    }

    @Test
    void runExitsWithTheCommandsStatus() {
        assertThat(run(MEMORY, "run", "--name", "job", "--", "sh", "-c", "exit 42")).isEqualTo(42);
        assertThat(err()).isEmpty();
    }

    @Test
    void aCommandKilledBySignalExitsLikeAShell() {
        assertThat(run(MEMORY, "run", "--", "sh", "-c", "kill -KILL $$")).isEqualTo(128 + 9);
    }

    @Test
    void theCommandNeedNotFollowDoubleDash() {
        assertThat(run(MEMORY, "run", "--name", "job", "sh", "-c", "exit 3")).isEqualTo(3);
    }

    @Test
    void aMissingCommandExits127LikeAShell() {
        assertThat(run(MEMORY, "run", "--", "/nonexistent/distlock-test-command")).isEqualTo(127);
        assertOneLineError("cannot run '/nonexistent/distlock-test-command'", "No such file");
    }

    @Test
    void startFailuresReadTheErrnoOfEveryJdk() {
        assertThat(RunCommand.StartFailure.of(new java.io.IOException(
                "Cannot run program \"x\": error=2, No such file or directory")))
                .isEqualTo(new RunCommand.StartFailure(127, "No such file or directory"));
        assertThat(RunCommand.StartFailure.of(new java.io.IOException(
                "Cannot run program \"x\": Exec failed, error: 13 (Permission denied) ")))
                .isEqualTo(new RunCommand.StartFailure(126, "Permission denied"));
        assertThat(RunCommand.StartFailure.of(new java.io.IOException("something else")).status()).isEqualTo(126);
    }

    @Test
    void aCommandThatIsNotExecutableExits126() {
        assertThat(run(MEMORY, "run", "--", "/etc/passwd")).isEqualTo(126);
        assertOneLineError("cannot run '/etc/passwd'", "Permission denied");
    }

    @Test
    void theDefaultNameIsTheCommandsBaseName() {
        assertThat(RunCommand.defaultName("/opt/jobs/backup.sh")).isEqualTo("backup.sh");
        assertThat(RunCommand.defaultName("make")).isEqualTo("make");
    }

    @Test
    void badDurationIsAUsageError() {
        assertThat(run(MEMORY, "run", "--wait", "5x", "--", "true")).isEqualTo(64);
        assertOneLineError("--wait", "'5x'");
    }

    @Test
    void zeroLeaseIsAUsageError() {
        assertThat(run(MEMORY, "run", "--expires", "0", "--", "true")).isEqualTo(64);
        assertOneLineError("--expires", "'0'");
    }

    @Test
    void unknownBackendIsAUsageErrorThatMasksThePassword() {
        assertThat(run(Map.of(), "status", "--backend", "nosuch://user:s3cret@host/", "x")).isEqualTo(64);
        assertOneLineError("no distlock backend for scheme 'nosuch'");
        assertThat(err()).doesNotContain("s3cret");
    }

    @Test
    void theBackendComesFromTheVariableWhenNoOptionIsGiven() {
        assertThat(run(Map.of(BackendOption.VARIABLE, "nosuch:x"), "status", "x")).isEqualTo(64);
        assertOneLineError("'nosuch'");
    }

    @Test
    void theOptionBeatsTheVariable() {
        assertThat(run(Map.of(BackendOption.VARIABLE, "nosuch:x"), "status", "--backend", "memory:test", "x"))
                .isEqualTo(1);
    }

    @Test
    void aBackendThatCannotWorkExits69OnOneLine() {
        // /proc refuses new directories even to root, so the file backend cannot make its directory there.
        assertThat(run(Map.of(), "run", "--backend", "file:/proc/distlock-test/locks", "--", "true")).isEqualTo(69);
        assertOneLineError("backend failed", "/proc/distlock-test");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run(MEMORY)).isEqualTo(64);
        assertOneLineError("missing command");
    }

    @Test
    void runWithoutCmdIsAUsageError() {
        assertThat(run(MEMORY, "run", "--name", "x")).isEqualTo(64);
        assertOneLineError("CMD");
    }

    @Test
    void anEmptyNameIsAUsageError() {
        assertThat(run(MEMORY, "run", "--name", "", "--", "true")).isEqualTo(64);
        assertOneLineError("lock name must not be empty");
    }

    @Test
    void releaseWithoutForceRefusesAndExplains() {
        assertThat(run(MEMORY, "release", "job")).isEqualTo(64);
        assertOneLineError("without --force", "'job'");
    }

    @Test
    void statusOfAFreeLockExits1() {
        assertThat(run(MEMORY, "status", "job")).isEqualTo(1);
        assertThat(out()).isEqualTo("'job' is free\n");
    }

    @Test
    void statusJsonOfAFreeLock() {
        assertThat(run(MEMORY, "status", "--json", "a\"b")).isEqualTo(1);
        assertThat(out()).isEqualTo("{\"name\":\"a\\\"b\",\"held\":false}\n");
    }

    @Test
    void listOfNothingIsAnEmptyJsonArray() {
        assertThat(run(MEMORY, "list", "--json")).isZero();
        assertThat(out()).isEqualTo("[]\n");
    }

    @Test
    void topLevelHelpListsEveryCommand() {
        assertThat(run(MEMORY, "--help")).isZero();
        assertThat(out()).contains("run", "status", "list", "release", "Exit status");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(run(MEMORY, "lock", "x")).isEqualTo(64);
        assertOneLineError("'lock'");
    }

    @Test
    void helpIsNotAnError() {
        assertThat(run(MEMORY, "run", "--help")).isZero();
        assertThat(out()).contains("--wait", "--expires", "--kill-on-lost", "--backend");
    }

    @Test
    void theBackendOptionsHelpNamesThePasswordVariables() {
        for (String command : new String[] {"run", "status", "list", "release"}) {
            out.reset();
            assertThat(run(MEMORY, command, "--help")).isZero();
            assertThat(out()).as(command).contains("$DISTLOCK_REDIS_PASSWORD", "$DISTLOCK_JDBC_PASSWORD");
        }
    }
}
