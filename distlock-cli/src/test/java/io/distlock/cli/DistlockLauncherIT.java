package io.distlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.file.FileLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.Printable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real {@code ./distlock} launcher, as an operator runs it, on a private file-backend
 * directory. Commands that must hold a lock for a while block on {@code read} from their standard
 * input (inherited through distlock), so the test decides when they end; nothing here sleeps to
 * synchronize.
 */
@Timeout(120)
class DistlockLauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Launcher distlock;
    private final List<Running> started = new ArrayList<>();

    @BeforeEach
    void privateLockDirectory() {
        distlock = new Launcher(temp, System.getProperty("distlock.it.backend", "file:" + temp.resolve("locks")));
    }

    @AfterEach
    void stopLeftovers() {
        started.forEach(Running::kill);
    }

    /** Starts {@code run} with a command that records its pid in {@code ready} and then waits for a line on stdin. */
    private Running holder(String name, Path ready, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--name", name));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "sh", "-c", "echo $$ $DISTLOCK_TOKEN > \"$0\"; read line; exit 3", ready.toString()));
        Running running = distlock.start(args.toArray(String[]::new));
        started.add(running);
        return running;
    }

    @Test
    void twoRunsWithWaitZero_oneRunsTheOtherExits75NamingTheHolder() throws IOException {
        Path ready = temp.resolve("first-ready");
        Running first = holder("nightly-backup", ready, "--wait", "0");
        Launcher.awaitContent(ready);

        Path marker = temp.resolve("second-ran");
        Finished second = distlock.run("run", "--wait", "0", "--name", "nightly-backup", "--",
                "touch", marker.toString());

        assertThat(second.status()).as("%s", second).isEqualTo(75);
        assertThat(second.errLines()).as("%s", second).hasSize(1);
        assertThat(second.err()).contains("'nightly-backup'", "pid " + first.pid(), "since ", "host ");
        assertThat(marker).as("the second command must not run").doesNotExist();

        first.tell("done");
        Finished firstDone = first.finish();
        assertThat(firstDone.status()).as("the holder's command status, %s", firstDone).isEqualTo(3);
        assertThat(firstDone.err()).isEmpty();
    }

    @Test
    void aWaitingRunGetsTheLockWhenTheHolderEnds_withALargerToken() throws IOException {
        Path ready = temp.resolve("ready");
        Running first = holder("handoff", ready);
        long firstToken = Long.parseLong(Launcher.awaitContent(ready).split(" ")[1]);

        Path token = temp.resolve("second-token");
        Running second = distlock.start("run", "--wait", "20s", "--name", "handoff", "--",
                "sh", "-c", "echo $DISTLOCK_TOKEN > \"$0\"", token.toString());
        started.add(second);
        first.tell("done");

        assertThat(first.finish().status()).isEqualTo(3);
        Finished secondDone = second.finish();
        assertThat(secondDone.status()).as("%s", secondDone).isZero();
        assertThat(Long.parseLong(Files.readString(token).trim())).isGreaterThan(firstToken);
    }

    @Test
    void exitStatusIsTheCommandsAndASignalGives128PlusIt() throws IOException {
        assertThat(distlock.run("run", "--name", "s", "--", "sh", "-c", "exit 42").status()).isEqualTo(42);
        assertThat(distlock.run("run", "--name", "s", "--", "true").status()).isZero();
        assertThat(distlock.run("run", "--name", "s", "--", "sh", "-c", "kill -KILL $$").status()).isEqualTo(137);
        assertThat(distlock.run("run", "--name", "s", "--", "false").status()).isEqualTo(1);
    }

    @Test
    void sigtermGoesToTheCommandAndTheLockIsFreeAfterwards() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = holder("deploy", ready);
        long childPid = Long.parseLong(Launcher.awaitContent(ready).split(" ")[0]);
        assertThat(distlock.run("status", "deploy").status()).as("held before the signal").isZero();

        // SIGTERM to the launcher's pid, which exec made the JVM's. Through the ProcessHandle:
        // Process.destroy() also closes the pipe to CMD's stdin, and CMD's `read` then ended with
        // exit 3, at times before the JVM's handler had taken the signal (exit 3 instead of 143).
        run.process.toHandle().destroy();

        Finished ended = run.finish();
        assertThat(ended.status()).as("%s", ended).isEqualTo(143);
        assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false))
                .as("the command got SIGTERM and ended").isFalse();
        Finished status = distlock.run("status", "deploy");
        assertThat(status.status()).as("%s", status).isEqualTo(1);
        assertThat(status.out()).contains("'deploy' is free");
        assertThat(distlock.run("run", "--wait", "0", "--name", "deploy", "--", "true").status()).isZero();
    }

    @Test
    void listAndStatusJsonDescribeTheHolder() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = holder("jobs/report", ready, "--expires", "30s");
        long token = Long.parseLong(Launcher.awaitContent(ready).split(" ")[1]);

        Finished list = distlock.run("list", "--json");
        assertThat(list.status()).as("%s", list).isZero();
        JsonNode locks = JSON.readTree(list.out());
        assertThat(locks.isArray()).isTrue();
        assertThat(locks).hasSize(1);
        JsonNode lock = locks.get(0);
        assertThat(lock.get("name").asText()).isEqualTo("jobs/report");
        assertThat(lock.get("pid").asLong()).isEqualTo(run.pid());
        assertThat(lock.get("host").asText()).isNotBlank();
        assertThat(lock.get("token").asLong()).isEqualTo(token);
        Instant acquired = Instant.parse(lock.get("acquiredAt").asText());
        Instant expires = Instant.parse(lock.get("expiresAt").asText());
        assertThat(expires).isAfter(acquired);

        assertThat(JSON.readTree(distlock.run("list", "--json", "jobs/").out())).hasSize(1);
        assertThat(JSON.readTree(distlock.run("list", "--json", "other/").out())).isEmpty();

        Finished status = distlock.run("status", "--json", "jobs/report");
        assertThat(status.status()).isZero();
        JsonNode held = JSON.readTree(status.out());
        assertThat(held.get("held").asBoolean()).isTrue();
        assertThat(held.get("pid").asLong()).isEqualTo(run.pid());

        Finished table = distlock.run("list");
        assertThat(table.out().lines().toList()).hasSize(2);
        assertThat(table.out()).startsWith("NAME").contains("jobs/report", " " + run.pid() + " ");

        run.tell("done");
        assertThat(run.finish().status()).isEqualTo(3);
        assertThat(JSON.readTree(distlock.run("list", "--json").out())).isEmpty();
    }

    @Test
    void forceReleaseFreesALockAndKillOnLostStopsTheCommand() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = holder("stuck", ready, "--expires", "1s", "--kill-on-lost");
        Launcher.awaitContent(ready);

        Finished refused = distlock.run("release", "stuck");
        assertThat(refused.status()).isEqualTo(64);
        assertThat(refused.errLines()).hasSize(1);
        assertThat(refused.err()).contains("--force");

        Finished released = distlock.run("release", "--force", "stuck");
        assertThat(released.status()).as("%s", released).isZero();
        assertThat(released.out()).contains("released 'stuck'", "pid " + run.pid());

        // The holder's next renewal (a third of its 1 s lease) finds the lock gone: CMD gets SIGTERM,
        // and the run exits 125, the status of a lost lock.
        Finished ended = run.finish();
        assertThat(ended.status()).as("%s", ended).isEqualTo(125);
        assertThat(ended.err()).contains("lost lock 'stuck'", "--kill-on-lost");
    }

    @Test
    void killNineOfDistlockTakesTheCommandAndItsChildAlong() throws IOException {
        String err = CommandTree.assertKillNineTakesCommandAndChildAlong(distlock, temp, "guarded");
        assertThat(err).contains("distlock: distlock (pid ", "killed CMD and the 1 process(es) it started");
    }

    /** The file backend frees a dead holder's lock at once: not before the watchdog has killed CMD's tree. */
    @Test
    void aWaitingRunGetsTheLockOnlyOnceTheKilledRunsCommandIsGone() throws IOException {
        Path locks = temp.resolve("handover-locks");
        Launcher onFiles = new Launcher(temp, "file:" + locks);
        CommandTree.assertWaitersStartOnlyOnceCommandTreeIsGone(onFiles, temp,
                locks.resolve(FileLockBackend.DEFAULT_NAMESPACE).resolve("stripes"), 5, 3);
    }

    @Test
    void theCommandGetsNoBackendPassword() throws IOException {
        Launcher withPasswords = new Launcher(temp, distlock.backendUri(),
                Map.of("DISTLOCK_REDIS_PASSWORD", "redis-s3cret", "DISTLOCK_JDBC_PASSWORD", "jdbc-s3cret"));
        Finished env = withPasswords.run("run", "--name", "env", "--", "env");
        assertThat(env.status()).as("%s", env).isZero();
        assertThat(env.out()).contains("DISTLOCK_NAME=env", "DISTLOCK_TOKEN=")
                .doesNotContain("DISTLOCK_REDIS_PASSWORD", "DISTLOCK_JDBC_PASSWORD", "s3cret");
    }

    /**
     * Any client of a shared backend writes its own host and thread into the holder record: here
     * a terminal-title change, a bell, a screen wipe, the one-byte CSI and a right-to-left override,
     * written straight into the file backend's directory through its SPI.
     */
    @Test
    void aHostileHolderRecordReachesNoTerminalRaw() throws IOException {
        String host = "db1\u001b]0;PWNED\u0007\u001b[2J\u009b31m\u202eevil";
        String thread = "main\u001b[8m\u2066";
        String name = "x\u001b[2Jy";
        try (FileLockBackend backend = FileLockBackend.builder().directory(temp.resolve("locks")).build()) {
            for (String lock : List.of("evil", name)) {
                assertThat(backend.tryAcquire(new AcquireRequest(lock, "hostile-" + lock, Duration.ofMinutes(5), host,
                        ProcessHandle.current().pid(), thread, Instant.now())).isAcquired()).isTrue();
            }
        }
        String shownHost = "db1\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m\\u202eevil";

        Finished status = distlock.run("status", "evil");
        assertThat(status.status()).as("%s", status).isZero();
        assertThat(status.out()).contains("host " + shownHost, "thread main\\x1b[8m\\u2066");
        Finished list = distlock.run("list");
        assertThat(list.out()).contains("x\\x1b[2Jy", shownHost);
        Finished busy = distlock.run("run", "--wait", "0", "--name", "evil", "--", "true");
        assertThat(busy.status()).as("%s", busy).isEqualTo(75);
        assertThat(busy.errLines()).hasSize(1);
        assertThat(busy.err()).contains("host " + shownHost);
        Finished statusJson = distlock.run("status", "--json", "evil");
        Finished listJson = distlock.run("list", "--json");
        for (Finished finished : List.of(status, list, busy, statusJson, listJson)) {
            assertPrintable(finished.out() + finished.err());
        }
        assertThat(JSON.readTree(statusJson.out()).get("host").asText()).as("JSON keeps the exact text").isEqualTo(host);
        assertThat(JSON.readTree(statusJson.out()).get("thread").asText()).isEqualTo(thread);
        assertThat(JSON.readTree(listJson.out()).findValuesAsText("name")).containsExactlyInAnyOrder("evil", name);

        // The status line, while a run waits for 'evil'.
        Finished finished = waitOnTerminal("evil");
        assertThat(finished.status()).as("%s", finished).isEqualTo(75);
        assertThat(finished.out()).contains("\rdistlock: 'evil' held by db1\\x1b]0;PWNED");
        // The line's own carriage returns (and the terminal's CR LF) are the only controls.
        assertPrintable(finished.out().replace("\r", "").replace("\n", ""));
    }

    private static void assertPrintable(String shown) {
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c != '\n') {
                assertThat(Printable.isUnsafe(c)).as("U+%04X at %d of [%s]", (int) c, i, shown).isFalse();
            }
        }
    }

    @Test
    void badDurationsAreUsageErrorsOnOneLine() throws IOException {
        Path marker = temp.resolve("ran");
        for (String[] args : List.of(
                new String[] {"run", "--wait", "5x", "--", "touch", marker.toString()},
                new String[] {"run", "--wait", "10", "--", "touch", marker.toString()},
                new String[] {"run", "--expires", "0", "--", "touch", marker.toString()},
                new String[] {"run", "--expires", "forever", "--", "touch", marker.toString()})) {
            Finished finished = distlock.run(args);
            assertThat(finished.status()).as("%s: %s", List.of(args), finished).isEqualTo(64);
            assertThat(finished.errLines()).as("%s", finished).hasSize(1);
            assertThat(finished.err()).startsWith("distlock: ").doesNotContain("Exception", "\tat ");
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void unknownBackendsAreUsageErrorsOnOneLine() throws IOException {
        Path marker = temp.resolve("ran");
        Finished option = distlock.run("run", "--backend", "nosuch://admin:hunter2@db:1/", "--", "touch",
                marker.toString());
        assertThat(option.status()).as("%s", option).isEqualTo(64);
        assertThat(option.errLines()).hasSize(1);
        assertThat(option.err()).contains("no distlock backend for scheme 'nosuch'").doesNotContain("hunter2");

        Finished malformed = distlock.run("list", "--backend", "not a uri");
        assertThat(malformed.status()).as("%s", malformed).isEqualTo(64);
        assertThat(malformed.errLines()).hasSize(1);
        assertThat(marker).doesNotExist();
    }

    @Test
    void whileWaitingOnATerminalOneStatusLineIsRewrittenInPlace() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = holder("busy", ready);
        Launcher.awaitContent(ready);

        Finished finished = waitOnTerminal("busy");

        assertThat(finished.status()).as("%s", finished).isEqualTo(75);
        assertThat(finished.out()).contains("\rdistlock: 'busy' held by ", " pid " + run.pid() + " for ",
                "left to wait");
        Finished notOnTerminal = distlock.run("run", "--wait", "300ms", "--name", "busy", "--", "true");
        assertThat(notOnTerminal.status()).isEqualTo(75);
        assertThat(notOnTerminal.errLines()).as("only the busy line when stderr is a file: %s", notOnTerminal)
                .hasSize(1);
        assertThat(notOnTerminal.err()).doesNotContain("\r");

        run.tell("done");
        assertThat(run.finish().status()).isEqualTo(3);
    }

    /**
     * {@code run --wait 1s --name NAME -- true} on a pseudo-terminal that script(1) makes for its
     * stdin, stdout and stderr, so that it shows the status line; its output is the terminal's.
     */
    private Finished waitOnTerminal(String name) throws IOException {
        String waiting = Launcher.SCRIPT + " run --wait 1s --name " + name + " -- true";
        Path tty = temp.resolve("tty-" + name + ".txt");
        ProcessBuilder builder = new ProcessBuilder("script", "-qefc", waiting, "/dev/null")
                .redirectOutput(tty.toFile())
                .redirectErrorStream(true);
        builder.environment().put(BackendOption.VARIABLE, distlock.backendUri());
        Running onTerminal = new Running("(on a terminal) " + waiting, builder.start(), tty, tty);
        started.add(onTerminal);
        return onTerminal.finish();
    }
}
