package io.distlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.LockBackends;
import io.distlock.LockDefaults;
import io.distlock.LockManager;
import io.distlock.spi.Durations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

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
        assertThat(run(MEMORY, "run", "--lease", "0", "--", "true")).isEqualTo(64);
        assertOneLineError("option '--lease'", "'0'");
        err.reset();
        assertThat(run(MEMORY, "run", "--expires", "0", "--", "true")).isEqualTo(64);
        assertOneLineError("--expires", "'0'");
    }

    @Test
    void aLeaseOverTheMaximumIsAUsageErrorAndLeavesNothingHeld(@TempDir Path dir) {
        Map<String, String> files = Map.of(BackendOption.VARIABLE, "file:" + dir.resolve("locks"));
        Path ran = dir.resolve("ran");
        assertThat(run(files, "run", "--lease", "200000d", "--name", "big", "--", "touch", ran.toString())).isEqualTo(64);
        assertOneLineError("--lease", "'200000d'", "365 days");
        assertThat(ran).as("CMD did not run").doesNotExist();
        err.reset();
        assertThat(run(files, "status", "big")).as("'big' is free").isEqualTo(1);
        assertThat(run(files, "run", "--lease", "365d", "--name", "big", "--", "touch", ran.toString())).isEqualTo(0);
        assertThat(ran).exists();
    }

    @Test
    void aWaitOrBackendTimeoutOverTheMaximumIsAUsageErrorNamingIt() {
        assertThat(run(MEMORY, "run", "--wait", "P99999999999D", "--", "true")).isEqualTo(64);
        assertOneLineError("--wait", "'P99999999999D'", "365 days", "forever");
        err.reset();
        assertThat(run(Map.of(), "run", "--backend", "file:?timeout=999999999d", "--", "true")).isEqualTo(64);
        assertOneLineError("timeout=999999999d", "365 days");
    }

    @Test
    void unknownBackendIsAUsageErrorThatMasksThePassword() {
        assertThat(run(Map.of(), "status", "--backend", "nosuch://user:s3cret@host/", "x")).isEqualTo(64);
        assertOneLineError("no distlock backend for scheme 'nosuch'");
        assertThat(err()).doesNotContain("s3cret");
    }

    @Test
    void theDebugTraceMasksDriverMessagesThatQuoteThePassword() {
        // H2 quotes a failing INIT statement in its message, and with it the password written there.
        String uri = "jdbc:h2:mem:debug-" + System.nanoTime() + ";PASSWORD=Pw-Secret-1;INIT=SELECT 'Pw-Secret-1' FROM NO_SUCH"
                + "?distlock.connectTimeout=1s";
        assertThat(run(Map.of("DISTLOCK_DEBUG", "1"), "status", "--backend", uri, "x")).isNotZero();
        assertThat(err()).contains("\tat ", "NO_SUCH").doesNotContain("Pw-Secret");
    }

    @Test
    void theDebugTraceMasksThePasswordFromTheEnvironment() {
        String uri = "jdbc:h2:mem:debug-" + System.nanoTime() + ";INIT=SELECT 'envPw-77' FROM NO_SUCH"
                + "?distlock.connectTimeout=1s";
        assertThat(run(Map.of("DISTLOCK_DEBUG", "1", "DISTLOCK_JDBC_PASSWORD", "envPw-77"), "status", "--backend", uri,
                "x")).isNotZero();
        assertThat(err()).contains("\tat ", "NO_SUCH").doesNotContain("envPw");
    }

    @Test
    void aRedisPasswordWithAHashIsRefusedAndNeverShown() {
        assertThat(run(Map.of("DISTLOCK_DEBUG", "1"), "status", "--backend", "redis://:s3cr#et@127.0.0.1:1", "x"))
                .isEqualTo(64);
        assertThat(err()).contains("percent-encode").doesNotContain("s3cr").doesNotContain("et@");
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
    void holdWithoutNameIsAUsageError() {
        assertThat(run(MEMORY, "hold", "--wait", "0")).isEqualTo(64);
        assertOneLineError("NAME", "distlock hold --help");
    }

    @Test
    void holdsLineIsOnePrintableLineOfShellQuotedFields() {
        assertThat(HoldCommand.fieldsLine("nightly-import", 1042))
                .isEqualTo("DISTLOCK_NAME='nightly-import' DISTLOCK_TOKEN=1042");
        assertThat(HoldCommand.fieldsLine("it's a job", 7)).isEqualTo("DISTLOCK_NAME='it'\\''s a job' DISTLOCK_TOKEN=7");
        assertThat(HoldCommand.fieldsLine("C:\\jobs \u00e9t\u00e9", 7))
                .as("a backslash and letters are the name as it is")
                .isEqualTo("DISTLOCK_NAME='C:\\jobs \u00e9t\u00e9' DISTLOCK_TOKEN=7");
        assertThat(HoldCommand.fieldsLine("evil\n\u001b]0;x\u0007\u202e\\", 7))
                .as("with a character a terminal acts on, the name as distlock shows it elsewhere")
                .isEqualTo("DISTLOCK_NAME='evil\\x0a\\x1b]0;x\\x07\\u202e\\\\' DISTLOCK_TOKEN=7");
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
    void listShowsAtMostLimitLocksAndSaysThereAreMore(@TempDir Path directory) throws Exception {
        Map<String, String> files = Map.of(BackendOption.VARIABLE, "file:" + directory);
        try (LockManager holder = LockManager.builder(LockBackends.open("file:" + directory)).build()) {
            for (String name : List.of("job-1", "job-2", "job-3", "other")) {
                holder.acquire(name);
            }
            assertThat(run(files, "list", "--limit", "2", "job-")).isZero();
            assertThat(out().lines()).hasSize(3).element(0, STRING).startsWith("NAME");
            assertThat(out()).contains("job-1", "job-2").doesNotContain("job-3", "other");
            assertOneLineError("more locks exist than the 2 shown", "--limit");

            out.reset();
            err.reset();
            assertThat(run(files, "list", "--json", "--limit", "2", "job-")).isZero();
            JsonNode json = new ObjectMapper().readTree(out());
            assertThat(json.isArray()).as("the JSON form stays an array").isTrue();
            assertThat(json.findValuesAsText("name")).containsExactly("job-1", "job-2");
            assertOneLineError("more locks exist than the 2 shown");

            out.reset();
            err.reset();
            assertThat(run(files, "list", "--limit", "3", "job-")).isZero();
            assertThat(out().lines()).hasSize(4);
            assertThat(err()).as("nothing left out, nothing said").isEmpty();
            assertThat(run(files, "list")).isZero();
            assertThat(err()).as("the default limit is %d", ListCommand.DEFAULT_LIMIT).isEmpty();
        }
    }

    @Test
    void aLimitBelowOneIsAUsageError() {
        assertThat(run(MEMORY, "list", "--limit", "0")).isEqualTo(64);
        assertOneLineError("--limit", "0");
        err.reset();
        assertThat(run(MEMORY, "list", "--limit", "many")).isEqualTo(64);
        assertOneLineError("--limit", "many");
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
        assertThat(out()).contains("--wait", "--lease", "--expires", "--kill-on-lost", "--backend");
    }

    @Test
    void theHelpShowsTheDefaultsOfLockDefaults() {
        for (String command : new String[] {"run", "hold"}) {
            out.reset();
            assertThat(run(MEMORY, command, "--help")).isZero();
            assertThat(out().replaceAll("\\s+", " "))
                    .contains("-e, --lease, --expires=DURATION")
                    .contains("Default: " + Durations.formatExact(LockDefaults.LEASE) + ".")
                    .contains("Default: " + Durations.formatExact(LockDefaults.WAIT) + ".");
        }
    }

    @Test
    void leaseAndItsAliasExpiresAreOneOption(@TempDir Path dir) {
        Map<String, String> files = Map.of(BackendOption.VARIABLE, "file:" + dir.resolve("locks"));
        for (String option : new String[] {"--lease", "--expires", "-e"}) {
            err.reset();
            assertThat(run(files, "run", option, "5m", "--name", "leased", "--", "true")).isZero();
            assertThat(err()).as("%s: no warning", option).isEmpty();
        }
        err.reset();
        assertThat(run(files, "run", "--lease", "1m", "--expires", "2m", "--", "true")).isEqualTo(64);
        assertOneLineError("option '--lease' (also given as '--expires') (DURATION) should be specified only once");
        err.reset();
        assertThat(run(MEMORY, "run", "-e", "0", "--", "true")).isEqualTo(64);
        assertOneLineError("option '--lease'", "'0'");
    }

    @Test
    void theBackendOptionsHelpNamesThePasswordVariables() {
        for (String command : new String[] {"run", "status", "list", "release"}) {
            out.reset();
            assertThat(run(MEMORY, command, "--help")).isZero();
            assertThat(out()).as(command).contains("$DISTLOCK_REDIS_PASSWORD", "$DISTLOCK_JDBC_PASSWORD");
        }
    }

    /**
     * Issue 23: {@code ./distlock --backend URI run ...}, as the JDBC and ZooKeeper READMEs wrote it,
     * was refused with "Unknown options: '--backend', ...". A command's options now go before or
     * after its name.
     */
    @Test
    void aCommandsOptionsMayComeBeforeItsName(@TempDir Path dir) throws Exception {
        Path name = dir.resolve("name");
        String printName = "echo \"$DISTLOCK_NAME\" > \"$0\"";
        assertThat(run(Map.of(), "--backend", "memory:before", "run", "--name", "job", "--", "sh", "-c", "exit 3"))
                .as("%s", err()).isEqualTo(3);
        assertThat(run(Map.of(), "--backend=memory:before", "--wait", "0", "-n", "job", "run", "--", "sh", "-c",
                printName, name.toString())).as("%s", err()).isZero();
        assertThat(java.nio.file.Files.readString(name)).isEqualTo("job\n");
        assertThat(run(MEMORY, "-qn", "clustered", "run", "sh", "-c", printName, name.toString())).isZero();
        assertThat(java.nio.file.Files.readString(name)).isEqualTo("clustered\n");
        assertThat(run(MEMORY, "--json", "status", "x")).isEqualTo(1);
        assertThat(out()).isEqualTo("{\"name\":\"x\",\"held\":false}\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void anOptionsValueThatNamesACommandIsAValue(@TempDir Path dir) throws Exception {
        Path printed = dir.resolve("printed");
        assertThat(run(MEMORY, "--name", "run", "run", "--", "sh", "-c", "echo \"$DISTLOCK_NAME\" > \"$0\"",
                printed.toString())).isZero();
        assertThat(java.nio.file.Files.readString(printed)).isEqualTo("run\n");
        assertThat(run(MEMORY, "run", "--name", "x", "--", "sh", "-c", "echo \"$@\" > \"$0\"", printed.toString(),
                "--wait", "status")).isZero();
        assertThat(java.nio.file.Files.readString(printed)).as("everything after CMD stays CMD's")
                .isEqualTo("--wait status\n");
    }

    @Test
    void anOptionOfAnotherCommandSaysWhichCommandsTakeIt() {
        assertThat(run(MEMORY, "--json", "run", "--", "true")).isEqualTo(64);
        assertOneLineError("Unknown option: '--json'; '--json' is an option of status, list (see 'distlock --help')");
        err.reset();
        assertThat(run(MEMORY, "run", "--limit", "3", "--", "true")).isEqualTo(64);
        assertOneLineError("'--limit' is an option of list, not of run");
    }
}
