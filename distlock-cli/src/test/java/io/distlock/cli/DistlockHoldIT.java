package io.distlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code distlock hold} through the real launcher on a private file-backend directory: the test is
 * the caller, and the launcher's standard input is the pipe it closes. The recipes of the README
 * are {@link DistlockHoldRecipesIT}. Nothing sleeps to synchronize: the test waits for the printed
 * line and for process ends.
 */
@Timeout(120)
class DistlockHoldIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINE = Pattern.compile("DISTLOCK_NAME='((?:[^']|'\\\\'')*)' DISTLOCK_TOKEN=(\\d+)");

    @TempDir
    Path temp;

    private Launcher distlock;
    private final List<Running> started = new ArrayList<>();

    @BeforeEach
    void privateLockDirectory() {
        distlock = new Launcher(temp, "file:" + temp.resolve("locks"));
    }

    @AfterEach
    void stopLeftovers() {
        started.forEach(Running::kill);
    }

    private Running hold(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("hold"));
        command.addAll(List.of(args));
        Running running = distlock.start(command.toArray(String[]::new));
        started.add(running);
        return running;
    }

    /** The token of the printed line, after checking that the line is exactly the documented one. */
    private static long tokenOf(String line, String name) {
        Matcher fields = LINE.matcher(line);
        assertThat(fields.matches()).as("the line [%s]", line).isTrue();
        assertThat(fields.group(1)).isEqualTo(name);
        return Long.parseLong(fields.group(2));
    }

    @Test
    void holdsUntilItsInputEnds_thenReleasesAndExitsZero() throws IOException {
        Running holder = hold("nightly-import", "--wait", "0", "--expires", "6s");
        long token = tokenOf(holder.awaitOutLine(), "nightly-import");

        Finished busy = distlock.run("run", "--wait", "0", "--name", "nightly-import", "--", "true");
        assertThat(busy.status()).as("%s", busy).isEqualTo(75);
        assertThat(busy.errLines()).hasSize(1);
        assertThat(busy.err()).contains("'nightly-import' is held by", "pid " + holder.pid());

        // Renewed: its lease ends later than the 6 s after it was taken (a renewal every third of it).
        Launcher.await("a renewal of the lease", () -> {
            try {
                Finished status = distlock.run("status", "--json", "nightly-import");
                JsonNode held = JSON.readTree(status.out());
                assertThat(held.get("token").asLong()).isEqualTo(token);
                assertThat(held.get("pid").asLong()).isEqualTo(holder.pid());
                return Duration.between(Instant.parse(held.get("acquiredAt").asText()),
                        Instant.parse(held.get("expiresAt").asText())).compareTo(Duration.ofSeconds(6)) > 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(holder.process.isAlive()).as("hold waits for the end of its input").isTrue();

        holder.closeInput();
        Finished ended = holder.finish();
        assertThat(ended.status()).as("%s", ended).isZero();
        assertThat(ended.out()).as("one line, nothing after it").isEqualTo(
                "DISTLOCK_NAME='nightly-import' DISTLOCK_TOKEN=" + token + "\n");
        assertThat(ended.err()).isEmpty();
        assertThat(distlock.run("run", "--wait", "0", "--name", "nightly-import", "--", "true").status())
                .as("free after the release").isZero();
    }

    /** The line read back by a shell's eval and by Python's shlex gives the name exactly. */
    @Test
    void theLineReadsBackInBashAndPython() throws IOException, InterruptedException {
        String name = "it's $HOME \"quoted\" `x` back\\slash;*";
        Running holder = hold(name);
        String line = holder.awaitOutLine();
        try {
            assertThat(readBack("bash", "-c", "eval \"$1\"; printf '%s %s' \"$DISTLOCK_TOKEN\" \"$DISTLOCK_NAME\"", "-", line))
                    .isEqualTo(tokenOf(line, name.replace("'", "'\\''")) + " " + name);
            assertThat(readBack("python3", "-c", "import shlex, sys\n"
                    + "fields = dict(f.split('=', 1) for f in shlex.split(sys.argv[1]))\n"
                    + "sys.stdout.write(fields['DISTLOCK_TOKEN'] + ' ' + fields['DISTLOCK_NAME'])", line))
                    .isEqualTo(tokenOf(line, name.replace("'", "'\\''")) + " " + name);
        } finally {
            holder.closeInput();
        }
        assertThat(holder.finish().status()).isZero();
    }

    private String readBack(String... command) throws IOException, InterruptedException {
        DistlockHoldRecipesIT.requireOnPath(command[0]);
        Path out = Files.createTempFile(temp, "read-back", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(process.waitFor(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s", List.of(command)).isZero();
        return Files.readString(out);
    }

    @Test
    void sigtermSigintAndSighupRelease_andExitZero() throws IOException, InterruptedException {
        for (String signal : List.of("TERM", "INT", "HUP")) {
            Running holder = hold("signalled");
            long token = tokenOf(holder.awaitOutLine(), "signalled");
            assertThat(token).isPositive();

            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(holder.pid())).inheritIO().start();
            assertThat(kill.waitFor(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).as("kill -%s", signal).isZero();

            Finished ended = holder.finish();
            assertThat(ended.status()).as("SIG%s: %s", signal, ended).isZero();
            assertThat(ended.err()).as("SIG%s", signal).isEmpty();
            Finished status = distlock.run("status", "signalled");
            assertThat(status.status()).as("released after SIG%s: %s", signal, status).isEqualTo(1);
        }
    }

    @Test
    void aForceReleasedLockIsReportedAtOnce_andHoldExits125WithoutWaitingForItsInput() throws IOException {
        Running holder = hold("stolen", "--expires", "3s");
        holder.awaitOutLine();

        Finished released = distlock.run("release", "--force", "stolen");
        assertThat(released.status()).as("%s", released).isZero();

        // Its input stays open: the renewal (every third of the 3 s lease) finds the lock gone.
        Finished ended = holder.finish();
        assertThat(ended.status()).as("%s", ended).isEqualTo(125);
        assertThat(ended.errLines()).as("%s", ended).hasSize(1);
        assertThat(ended.err()).startsWith("distlock: lost lock 'stolen' while holding it: ").contains("exiting 125");
    }

    @Test
    void aLockFoundGoneAtTheReleaseExits125() throws IOException {
        // A lease of 60 s renews every 20 s: the end of input comes long before a renewal could notice.
        Running holder = hold("gone", "--expires", "60s");
        holder.awaitOutLine();
        assertThat(distlock.run("release", "--force", "gone").status()).isZero();

        holder.closeInput();
        Finished ended = holder.finish();
        assertThat(ended.status()).as("%s", ended).isEqualTo(125);
        assertThat(ended.errLines()).as("%s", ended).hasSize(1);
        assertThat(ended.err()).startsWith("distlock: lost lock 'gone' while holding it: ").contains("exiting 125");
    }

    @Test
    void aBusyLockExits75WithRunsBusyLine_andPrintsNothingOnStdout() throws IOException {
        Running holder = hold("busy");
        holder.awaitOutLine();

        Finished second = distlock.start("hold", "busy", "--wait", "0").finish();
        assertThat(second.status()).as("%s", second).isEqualTo(75);
        assertThat(second.out()).isEmpty();
        assertThat(second.errLines()).hasSize(1);
        assertThat(second.err()).startsWith("distlock: lock 'busy' is held by ")
                .contains("pid " + holder.pid(), "it was busy (--wait 0)");

        holder.closeInput();
        assertThat(holder.finish().status()).isZero();
    }

    /** A caller that ends while hold waits for a busy lock leaves no hold waiting behind it, even forever. */
    @Test
    void theEndOfInputWhileWaitingEndsTheWaitWith75() throws IOException {
        Running holder = hold("awaited");
        holder.awaitOutLine();

        Running waiter = hold("awaited", "--wait", "forever");
        waiter.closeInput();
        Finished gaveUp = waiter.finish();
        assertThat(gaveUp.status()).as("%s", gaveUp).isEqualTo(75);
        assertThat(gaveUp.out()).isEmpty();
        assertThat(gaveUp.errLines()).hasSize(1);
        assertThat(gaveUp.err()).contains("standard input closed before lock 'awaited' was taken");

        assertThat(holder.process.isAlive()).as("the holder is not disturbed").isTrue();
        holder.closeInput();
        assertThat(holder.finish().status()).isZero();
    }

    @Test
    void usageAndBackendFailuresExitLikeRun() throws IOException {
        Finished noName = distlock.run("hold");
        assertThat(noName.status()).as("%s", noName).isEqualTo(64);
        assertThat(noName.errLines()).hasSize(1);
        assertThat(noName.err()).contains("NAME", "distlock hold --help");

        Finished badWait = distlock.run("hold", "x", "--wait", "5");
        assertThat(badWait.status()).as("%s", badWait).isEqualTo(64);
        assertThat(badWait.errLines()).hasSize(1);

        // A directory the backend cannot create: a failure no retry cures, so at once.
        Path notADirectory = temp.resolve("file");
        Files.writeString(notADirectory, "");
        Finished down = distlock.run("hold", "x", "--backend", "file:" + notADirectory.resolve("locks"));
        assertThat(down.status()).as("%s", down).isEqualTo(69);
        assertThat(down.errLines()).hasSize(1);
        assertThat(down.out()).isEmpty();
    }

    /**
     * The point of the pipe: a caller killed with SIGKILL runs no clean-up, but the kernel closes
     * its end, and hold releases.
     */
    @Test
    void aCallerKilledWithSigkillMakesHoldRelease() throws IOException, InterruptedException {
        Path holdPid = temp.resolve("hold.pid");
        Path script = temp.resolve("caller.sh");
        Files.writeString(script, String.join("\n",
                "coproc HOLD { exec \"$DISTLOCK\" hold orphaned; }",
                "IFS= read -r fields <&\"${HOLD[0]}\" || exit 3",
                "echo \"$HOLD_PID\" > \"$HOLD_PID_FILE.tmp\" && mv \"$HOLD_PID_FILE.tmp\" \"$HOLD_PID_FILE\"",
                "kill -KILL $$",
                ""));
        ProcessBuilder caller = new ProcessBuilder("bash", script.toString())
                .redirectOutput(temp.resolve("caller.out").toFile())
                .redirectError(temp.resolve("caller.err").toFile());
        caller.environment().put("DISTLOCK", Launcher.SCRIPT.toString());
        caller.environment().put("HOLD_PID_FILE", holdPid.toString());
        caller.environment().put(BackendOption.VARIABLE, distlock.backendUri());
        Process bash = caller.start();
        assertThat(bash.waitFor(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the caller ends").isTrue();
        assertThat(bash.exitValue()).as("killed by its own SIGKILL; stderr: %s",
                Files.readString(temp.resolve("caller.err"))).isEqualTo(128 + 9);

        long pid = Long.parseLong(Launcher.awaitContent(holdPid));
        ProcessHandle.of(pid).ifPresent(orphan -> {
            try {
                orphan.onExit().get(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                orphan.destroyForcibly();
                throw new AssertionError("hold (pid " + pid + ") did not end after its caller's SIGKILL", e);
            }
        });
        Finished status = distlock.run("status", "orphaned");
        assertThat(status.status()).as("%s", status).isEqualTo(1);
    }

    @Test
    void holdKilledWithSigkillOnTheFileBackend_theLockIsFreeOnceItsPidIsGone() throws IOException, InterruptedException {
        Running holder = hold("killed");
        holder.awaitOutLine();
        holder.process.destroyForcibly();
        assertThat(holder.process.waitFor(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        Finished next = distlock.run("run", "--wait", "0", "--name", "killed", "--", "true");
        assertThat(next.status()).as("%s", next).isZero();
    }
}
