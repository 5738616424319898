package io.distlock.cli;

import io.distlock.spi.Durations;
import org.jspecify.annotations.Nullable;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * How {@code run} ends its command when it must: SIGTERM to CMD alone (for {@code --timeout},
 * {@code --kill-on-lost}, or a signal distlock got), then, {@code --kill-after} later if CMD still
 * runs, or at once on a second signal, SIGKILL to CMD and every process it started.
 *
 * <p>SIGTERM goes to CMD only, as distlock has always forwarded signals: CMD decides how its
 * children end. SIGKILL goes to the whole tree, found the way the {@link Watchdog} finds it after a
 * {@code kill -9} of distlock (every process is stopped before any is killed, so none can start
 * another meanwhile), because a CMD killed outright cannot pass it on, and its children would run on
 * without the lock. {@link #awaitKill()} returns only once the killed processes are dead, so the
 * lock is released after them, never before.
 */
final class CommandStopper {
    private final Process command;
    /** Null where there is none: then the tree is killed from Java, without stopping it first. */
    private final @Nullable Watchdog watchdog;
    /** Null: no SIGKILL after a SIGTERM. */
    private final Duration killAfter;
    private final PrintStream err;
    private volatile boolean timedOut;
    private boolean killed;

    CommandStopper(Process command, @Nullable Watchdog watchdog, Duration killAfter, PrintStream err) {
        this.command = command;
        this.watchdog = watchdog;
        this.killAfter = killAfter;
        this.err = err;
    }

    long pid() {
        return command.pid();
    }

    boolean isRunning() {
        return command.isAlive();
    }

    /** Whether {@code --timeout} ran out while CMD ran (the run then exits 124). */
    boolean timedOut() {
        return timedOut;
    }

    /**
     * Starts the clock of {@code --timeout}: when CMD still runs {@code limit} after its start, it
     * gets SIGTERM (and the {@code --kill-after} clock starts).
     */
    void limitTo(Duration limit) {
        daemon("distlock-timeout", () -> {
            if (!endsWithin(limit) && command.isAlive()) {
                // Before the SIGTERM: the run's status is read as soon as CMD has ended.
                timedOut = true;
                terminate("CMD (pid " + command.pid() + ") ran past --timeout " + Durations.format(limit)
                        + ": sent it SIGTERM");
            }
        });
    }

    /**
     * SIGTERM to CMD, and with {@code --kill-after}, SIGKILL to its tree if it still runs that
     * long after.
     *
     * @param line what to say on stderr first, or null to say nothing (a signal distlock got)
     */
    void terminate(@Nullable String line) {
        if (line != null) {
            err.println("distlock: " + line + (killAfter == null ? ""
                    : "; SIGKILL in " + Durations.format(killAfter) + " if it still runs (--kill-after)"));
        }
        command.destroy();
        if (killAfter != null) {
            daemon("distlock-kill-after", () -> {
                if (!endsWithin(killAfter)) {
                    kill("CMD (pid " + command.pid() + ") still ran " + Durations.format(killAfter)
                            + " after SIGTERM (--kill-after)");
                }
            });
        }
    }

    /**
     * SIGKILL to CMD and every process it started, once; returns when they are dead. Later calls
     * (a third signal, {@code --kill-after} after a second signal) find it done and say nothing.
     *
     * @param why the start of the stderr line that says what was killed
     */
    synchronized void kill(String why) {
        if (killed || !command.isAlive()) {
            return;
        }
        killed = true;
        OptionalInt descendants = watchdog == null ? OptionalInt.empty() : watchdog.killCommandTree();
        if (descendants.isEmpty()) {
            descendants = killFromJava();
        }
        if (descendants.isPresent()) {
            err.println("distlock: " + why + ": killed CMD and the " + descendants.getAsInt()
                    + " process(es) it started (SIGKILL)");
        }
    }

    /**
     * Without a watchdog (no {@code /proc}), or with one someone killed: the tree as the JDK sees
     * it, CMD first so that it starts nothing more. A child that CMD starts between the look and
     * the kill is missed: the watchdog's stop-then-kill walk has no such gap.
     */
    private OptionalInt killFromJava() {
        if (!command.isAlive()) {
            return OptionalInt.empty();
        }
        List<ProcessHandle> tree = command.descendants().toList();
        command.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : tree) {
            process.onExit().join();
        }
        waitUninterruptibly();
        return OptionalInt.of(tree.size());
    }

    /** Returns once a kill under way (another thread's) has finished. */
    synchronized void awaitKill() {
        // Holding the monitor is the wait: kill() holds it until the killed processes are dead.
    }

    private boolean endsWithin(Duration limit) {
        try {
            return command.waitFor(Durations.saturatedNanos(limit), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            return true;
        }
    }

    private void waitUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                command.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
