package io.distlock.cli;

import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code run}'s habits from flock(1) and timeout(1), with the real {@code ./distlock} launcher on a
 * private file-backend directory: {@code --timeout} (124), {@code --kill-after} against a CMD that
 * traps SIGTERM, a second SIGINT killing such a CMD and its child, {@code -E}, the status of a
 * lost lock (125), and the busy line of a nested run. Every CMD records its pid (and its child's)
 * in a file the test waits for; processes are identified by pid and start time ({@link CommandTree}),
 * and nothing here sleeps to synchronize.
 */
@Timeout(120)
class DistlockFlockParityIT {
    /**
     * A CMD that traps SIGTERM (noting each in {@code $0.term}), starts {@code sleep 600} as its
     * child, writes "$$ $!" to {@code $0}, and waits for the child, again after each SIGTERM: only
     * SIGKILL ends it before the child ends.
     */
    private static final String TERM_TRAPPING_CMD = "trap 'echo TERM >> \"$0.term\"' TERM; sleep 600 & "
            + "echo $$ $! > \"$0\"; while kill -0 $! 2>/dev/null; do wait $!; done";

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

    private Running start(String... args) throws IOException {
        Running running = distlock.start(args);
        started.add(running);
        return running;
    }

    /**
     * As {@link #start}, with SIGINT, SIGTERM and SIGHUP at their defaults when distlock starts: a
     * build started in the background by a script (no job control) ignores SIGINT, every process
     * it starts inherits that, and a JVM leaves an ignored SIGINT ignored. coreutils' env resets them.
     */
    private Running startWithDefaultSignals(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM,HUP",
                Launcher.SCRIPT.toString()));
        command.addAll(List.of(args));
        Path out = temp.resolve("signalled.out");
        Path err = temp.resolve("signalled.err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put(BackendOption.VARIABLE, distlock.backendUri());
        builder.environment().remove("DISTLOCK_DEBUG");
        Running running = new Running(String.join(" ", args), builder.start(), out, err);
        started.add(running);
        return running;
    }

    /** The pids a CMD wrote ("$$ $!"), with their start times, once it has written them. */
    private record Tree(long cmd, long cmdStart, long child, long childStart) {
        static Tree recordedIn(Path file) {
            String[] pids = Launcher.awaitContent(file).split(" ");
            long cmd = Long.parseLong(pids[0]);
            long child = Long.parseLong(pids[1]);
            Tree tree = new Tree(cmd, CommandTree.startTicks(cmd), child, CommandTree.startTicks(child));
            assertThat(tree.cmdStart()).as("CMD runs").isPositive();
            assertThat(tree.childStart()).as("CMD's child runs").isPositive();
            return tree;
        }

        boolean isGone() {
            return CommandTree.isGone(cmd, cmdStart) && CommandTree.isGone(child, childStart);
        }
    }

    @Test
    void aCommandPastItsTimeLimitGetsSigtermAndRunExits124() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = start("run", "--name", "limited", "--timeout", "1s", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line", ready.toString());
        long cmd = Long.parseLong(Launcher.awaitContent(ready));
        long cmdStart = CommandTree.startTicks(cmd);

        Finished ended = run.finish();

        assertThat(ended.status()).as("%s", ended).isEqualTo(124);
        assertThat(ended.errLines()).as("%s", ended).containsExactly(
                "distlock: CMD (pid " + cmd + ") ran past --timeout 1s: sent it SIGTERM");
        assertThat(CommandTree.isGone(cmd, cmdStart)).as("CMD ended").isTrue();
        assertThat(distlock.run("run", "--wait", "0", "--name", "limited", "--", "true").status())
                .as("the lock is free").isZero();
    }

    @Test
    void killAfterKillsACommandThatTrapsSigtermAndTheProcessItStarted() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = start("run", "--name", "stubborn", "--timeout", "1s", "--kill-after", "1s", "--", "sh", "-c",
                TERM_TRAPPING_CMD, ready.toString());
        Tree tree = Tree.recordedIn(ready);

        Finished ended = run.finish();

        assertThat(ended.status()).as("%s", ended).isEqualTo(124);
        assertThat(tree.isGone()).as("CMD and its child were killed").isTrue();
        assertThat(Files.readString(temp.resolve("ready.term"))).as("CMD got SIGTERM first").contains("TERM");
        assertThat(ended.errLines()).as("%s", ended).containsExactly(
                "distlock: CMD (pid " + tree.cmd() + ") ran past --timeout 1s: sent it SIGTERM; SIGKILL in 1s if it "
                        + "still runs (--kill-after)",
                "distlock: CMD (pid " + tree.cmd() + ") still ran 1s after SIGTERM (--kill-after): killed CMD and the "
                        + "1 process(es) it started (SIGKILL)");
        assertThat(distlock.run("run", "--wait", "0", "--name", "stubborn", "--", "true").status())
                .as("the lock is free").isZero();
    }

    /**
     * The first SIGINT makes distlock send CMD SIGTERM, which CMD traps and notes, while the lock
     * stays held; the second kills CMD and its child, and then the lock is released: 130.
     */
    @Test
    void aSecondSigintKillsACommandThatTrapsSigtermThenReleases() throws Exception {
        Path ready = temp.resolve("ready");
        Running run = startWithDefaultSignals("run", "--name", "ctrl-c", "--", "sh", "-c", TERM_TRAPPING_CMD,
                ready.toString());
        Tree tree = Tree.recordedIn(ready);
        Path terms = temp.resolve("ready.term");

        signal("INT", run.pid());
        Launcher.await("CMD to note the SIGTERM that distlock sends on the first SIGINT",
                () -> Files.exists(terms));
        assertThat(tree.isGone()).as("CMD traps SIGTERM and runs on").isFalse();
        assertThat(distlock.run("status", "ctrl-c").status()).as("held while CMD runs").isZero();

        signal("INT", run.pid());
        Finished ended = run.finish();

        assertThat(ended.status()).as("%s", ended).isEqualTo(130);
        assertThat(tree.isGone()).as("CMD and its child were killed").isTrue();
        assertThat(ended.errLines()).as("stderr is no terminal: only the kill is reported, %s", ended).containsExactly(
                "distlock: got SIGINT again while CMD (pid " + tree.cmd() + ") was being stopped: killed CMD and the "
                        + "1 process(es) it started (SIGKILL)");
        Finished status = distlock.run("status", "ctrl-c");
        assertThat(status.status()).as("released: %s", status).isEqualTo(1);
    }

    /**
     * On a terminal (a pseudo-terminal that script(1) makes), the first signal also says what
     * distlock does and that a second one kills CMD: a person who pressed Ctrl-C sees why nothing
     * seems to happen while CMD cleans up.
     */
    @Test
    void onATerminalTheFirstSignalSaysThatASecondOneKills() throws Exception {
        Path ready = temp.resolve("ready");
        String command = "env --default-signal=INT,TERM,HUP " + Launcher.SCRIPT + " run --name tty -- sh -c '"
                + TERM_TRAPPING_CMD.replace("'", "'\\''") + "' " + ready;
        Path tty = temp.resolve("tty.txt");
        ProcessBuilder builder = new ProcessBuilder("script", "-qefc", command, "/dev/null")
                .redirectOutput(tty.toFile()).redirectErrorStream(true);
        builder.environment().put(BackendOption.VARIABLE, distlock.backendUri());
        Running onTerminal = new Running("(on a terminal) " + command, builder.start(), tty, tty);
        started.add(onTerminal);
        Tree tree = Tree.recordedIn(ready);
        long jvm = ProcessHandle.of(tree.cmd()).flatMap(ProcessHandle::parent).orElseThrow().pid();

        signal("INT", jvm);
        Launcher.await("CMD to note the SIGTERM", () -> Files.exists(temp.resolve("ready.term")));
        signal("INT", jvm);
        Finished ended = onTerminal.finish();

        assertThat(ended.status()).as("script(1) passes on the status: %s", ended).isEqualTo(130);
        assertThat(ended.out()).contains("distlock: got SIGINT: sending CMD (pid " + tree.cmd() + ") SIGTERM; lock "
                + "'tty' is released once it has ended (SIGINT again kills it)",
                "distlock: got SIGINT again while CMD (pid " + tree.cmd() + ") was being stopped");
        assertThat(tree.isGone()).isTrue();
    }

    @Test
    void conflictExitCodeIsTheStatusWhenTheLockStaysBusy() throws IOException {
        Path ready = temp.resolve("ready");
        start("run", "--name", "busy", "--", "sh", "-c", "echo $$ > \"$0\"; read line", ready.toString());
        Launcher.awaitContent(ready);
        Path marker = temp.resolve("ran");

        Finished busy = distlock.run("run", "-E", "3", "--wait", "0", "--name", "busy", "--", "touch",
                marker.toString());

        assertThat(busy.status()).as("%s", busy).isEqualTo(3);
        assertThat(busy.errLines()).as("%s", busy).hasSize(1);
        assertThat(busy.err()).contains("lock 'busy' is held by ").doesNotContain("ancestor");
        assertThat(marker).doesNotExist();
    }

    @Test
    void aLockLostUnderKillOnLostStopsTheCommandAndExits125() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = start("run", "--name", "lost", "--expires", "1s", "--kill-on-lost", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line; exit 0", ready.toString());
        Launcher.awaitContent(ready);

        Finished released = distlock.run("release", "--force", "lost");
        assertThat(released.status()).as("%s", released).isZero();
        Finished ended = run.finish();

        assertThat(ended.status()).as("%s", ended).isEqualTo(125);
        assertThat(ended.err()).contains("lost lock 'lost'", "stopping CMD (--kill-on-lost)",
                "distlock: CMD ended (status 143) after lock 'lost' was lost while it ran; exiting 125");
    }

    @Test
    void aLockLostWithoutKillOnLostLetsTheCommandFinishAndStillExits125() throws IOException {
        Path ready = temp.resolve("ready");
        Running run = start("run", "--name", "lost", "--expires", "1s", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line; exit 0", ready.toString());
        Launcher.awaitContent(ready);

        assertThat(distlock.run("release", "--force", "lost").status()).isZero();
        Launcher.await("the run to report the lost lock", () -> run.errSoFar().contains("lost lock 'lost'"));
        run.tell("done");
        Finished ended = run.finish();

        assertThat(ended.status()).as("%s", ended).isEqualTo(125);
        assertThat(ended.err()).contains("CMD keeps running", "run will exit 125",
                "distlock: CMD ended (status 0) after lock 'lost' was lost while it ran; exiting 125");
    }

    /** A run whose CMD runs distlock on the same name: the inner one is told it waits for its own ancestor. */
    @Test
    void aNestedRunOnTheSameNameIsToldThatItWaitsForItself() throws IOException {
        Path innerStatus = temp.resolve("inner-status");
        Running outer = start("run", "--name", "nest", "--", "sh", "-c",
                "\"$0\" run --name nest --wait 0 -- true; echo $? > \"$1\"", Launcher.SCRIPT.toString(),
                innerStatus.toString());

        Finished ended = outer.finish();

        assertThat(ended.status()).as("%s", ended).isZero();
        assertThat(Files.readString(innerStatus).trim()).isEqualTo("75");
        assertThat(ended.errLines()).as("the inner run's busy line, on the stderr it shares: %s", ended).hasSize(1);
        assertThat(ended.err()).contains("lock 'nest' is held by ", "pid " + outer.pid() + " ",
                "the holder, pid " + outer.pid() + " on this host, is an ancestor of this distlock",
                "a nested run on the same name only waits for itself", "use another name");
    }

    /** {@code kill -s SIG PID}, as an operator or a terminal driver sends it. */
    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill -s " + signal + " " + pid + " failed");
        }
    }
}
