package io.distlock.cli;

import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code kill -9} of a {@code run} whose CMD has started a process of its own: CMD and its child
 * must end before the lock can be anyone else's (the file backend frees it as soon as the JVM is
 * gone; a server backend when the lease runs out). Processes are identified by pid and start time
 * from {@code /proc}, so a recycled pid never counts as the old process.
 */
final class CommandTree {
    /** Far longer than the watchdog needs, even on a loaded machine; a CMD left running never meets it. */
    static final Duration DEADLINE = Duration.ofSeconds(5);

    private CommandTree() {
    }

    /**
     * Runs {@code sh -c 'sleep 60 & ...; wait'} under {@code name} with a 3 s lease, SIGKILLs the
     * JVM (the launcher's pid: it execs java), waits for CMD and its child to be gone, and then
     * checks that the lock can be taken; returns the killed run's stderr.
     */
    static String assertKillNineTakesCommandAndChildAlong(Launcher distlock, Path temp, String name)
            throws IOException {
        Path pids = temp.resolve(name + "-pids");
        Running run = distlock.start("run", "--name", name, "--expires", "3s", "--", "sh", "-c",
                "sleep 60 & echo $$ $! > \"$0\"; wait", pids.toString());
        String[] recorded = Launcher.awaitContent(pids).split(" ");
        long cmd = Long.parseLong(recorded[0]);
        long child = Long.parseLong(recorded[1]);
        long cmdStart = startTicks(cmd);
        long childStart = startTicks(child);
        try {
            assertThat(cmdStart).as("CMD runs").isPositive();
            assertThat(childStart).as("CMD's child runs").isPositive();
            Finished busy = distlock.run("run", "--wait", "0", "--name", name, "--", "true");
            assertThat(busy.status()).as("held while CMD runs: %s", busy).isEqualTo(75);

            run.process.destroyForcibly(); // SIGKILL to the JVM: no shutdown hook runs

            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!isGone(cmd, cmdStart) || !isGone(child, childStart)) {
                if (System.nanoTime() - deadline > 0) {
                    fail("distlock was killed with SIGKILL, and " + DEADLINE.toSeconds() + " s later its CMD (pid "
                            + cmd + (isGone(cmd, cmdStart) ? ", gone" : ", running") + ") or CMD's child (pid "
                            + child + (isGone(child, childStart) ? ", gone" : ", running")
                            + ") still ran, unguarded by the lock");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            Finished next = distlock.run("run", "--wait", "20s", "--name", name, "--", "true");
            assertThat(next.status()).as("the lock is free once CMD is gone (file: at once; else with the "
                    + "lease): %s", next).isZero();
            Launcher.await("the watchdog's line on the killed run's stderr", () -> run.errSoFar().contains("killed CMD"));
            return run.errSoFar();
        } finally {
            run.kill();
            killIfAlive(cmd, cmdStart);
            killIfAlive(child, childStart);
        }
    }

    /** Field 22 of {@code /proc/PID/stat}, or -1 if the process is gone. */
    static long startTicks(long pid) {
        String[] fields = stat(pid);
        return fields == null ? -1 : Long.parseLong(fields[19]);
    }

    /** Gone: no such process, a zombie, or the pid now names a process started at another time. */
    static boolean isGone(long pid, long startTicks) {
        String[] fields = stat(pid);
        return fields == null || fields[0].equals("Z") || fields[0].equals("X")
                || Long.parseLong(fields[19]) != startTicks;
    }

    private static void killIfAlive(long pid, long startTicks) {
        if (startTicks > 0 && !isGone(pid, startTicks)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** The fields after the command name: [0] the state, [19] the start time in clock ticks. */
    private static String[] stat(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            return text.substring(text.lastIndexOf(')') + 1).trim().split(" +");
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
