package io.distlock.cli;

import io.distlock.Lock;
import io.distlock.LockException;
import io.distlock.LockListener;
import io.distlock.LockManager;
import io.distlock.LockTimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = LockTaking.Defaults.class,
        description = {"Run CMD while holding the lock NAME, renewing its lease for as long as CMD runs, and "
                + "release it when CMD ends. Exits with CMD's status (128+N if signal N ended it).",
                "When the lock stays busy for the whole wait, CMD does not run and the exit status is 75 (-E).",
                "SIGINT/SIGTERM send SIGTERM to CMD; the lock is released once CMD has ended. A second "
                        + "SIGINT/SIGTERM kills CMD and the processes it started with SIGKILL."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "CMD's:CMD's own status; 128+N if signal N ended it",
                "75:the lock stayed busy for the whole wait (-E changes it); CMD did not run",
                "124:CMD ran past --timeout and was stopped",
                "125:the lock was lost while CMD ran (see --kill-on-lost)",
                "126, 127:CMD could not be executed / was not found",
                "129, 130, 143:distlock got SIGHUP, SIGINT or SIGTERM (the first one's 128+N); CMD was stopped, "
                        + "the lock released",
                "64:usage: a bad option, duration or backend URI",
                "69:the backend failed or could not be reached",
                "70:a bug in distlock"})
final class RunCommand implements Callable<Integer> {
    /** What the JVM exits with after SIGTERM, had nothing else been decided. */
    private static final int TERMINATED = 128 + 15;

    @ParentCommand
    DistlockCommand cli;

    @Mixin
    BackendOption backend;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME",
            description = "The lock's name. Default: the base name of CMD (run -- /opt/backup.sh locks 'backup.sh').")
    String name;

    @Mixin
    LockTaking taking;

    @Option(names = "--kill-on-lost",
            description = "If the lock is lost while CMD runs (the backend says it is no longer ours, or its lease ran out while suspended), send SIGTERM to CMD. A suspended lock (connection down) does not count. "
                    + "With or without it, a run whose lock was lost while CMD ran exits 125.")
    boolean killOnLost;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverters.Positive.class,
            description = "A time limit for CMD, like timeout(1): once CMD has run this long, it gets SIGTERM, "
                    + "and run exits 124 when it has ended. Counted from CMD's start, not the lock wait: that is "
                    + "--wait (flock's --timeout is its wait). Default: none.")
    Duration timeout;

    @Option(names = "--kill-after", paramLabel = "DURATION", converter = DurationConverters.Positive.class,
            description = "If CMD still runs this long after distlock sent it SIGTERM (--timeout, --kill-on-lost, "
                    + "or a signal distlock got), SIGKILL CMD and every process it started. Default: never.")
    Duration killAfter;

    @Parameters(paramLabel = "CMD", arity = "1..*",
            description = "The command and its arguments, after --. It gets DISTLOCK_NAME and DISTLOCK_TOKEN "
                    + "(the fencing token) in its environment, and no backend password (see --backend).")
    List<String> command;

    @Override
    public Integer call() {
        String lockName = name != null ? name : defaultName(command.get(0));
        ConnectionLines connectionLines = new ConnectionLines(cli.err);
        long start = System.nanoTime();
        // Before the lock: the file backend counts the watchdog as a holder process, so the lock
        // stays held until the watchdog has killed CMD, should this JVM die.
        Watchdog watchdog = startWatchdog();
        LockManager locks;
        try {
            locks = taking.openWithinWait(backend, cli, connectionLines, start,
                    watchdog == null ? null : watchdog.process());
        } catch (RuntimeException e) {
            if (watchdog != null) {
                watchdog.close();
            }
            throw e;
        }
        // What the connect took comes out of the wait; what is left is the lock's wait.
        waitLeft = taking.waitLeftAfter(start);
        Supervisor supervisor = new Supervisor(locks, lockName, watchdog);
        Thread onSignal = new Thread(supervisor::stopOnSignal, "distlock-signal");
        Runtime.getRuntime().addShutdownHook(onSignal);
        SignalEscalation signals = SignalEscalation.install(supervisor);
        try {
            int status = supervisor.run();
            // A signal decides the status (128+N), also when this thread sees CMD end first.
            return signals.statusOfFirstSignal().orElse(status);
        } finally {
            signals.close();
            supervisor.finish();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or has run; nothing to undo.
            }
        }
    }

    private @Nullable Watchdog startWatchdog() {
        try {
            return Watchdog.start();
        } catch (IOException e) {
            cli.err.println("distlock: cannot start the watchdog that stops CMD should distlock be killed ("
                    + OneLine.of(e.getMessage()) + "); running CMD without it");
            return null;
        }
    }

    /** The wait still open once the backend is reached: --wait less the time the connect took. */
    private @Nullable Duration waitLeft;

    /**
     * One stderr line when the lock is suspended (the backend cannot confirm it: a dropped
     * connection, a renewal without an answer) and one when it is held again. CMD keeps running
     * meanwhile: only a lost lock counts for {@code --kill-on-lost}.
     */
    static final class ConnectionLines implements LockListener {
        private final PrintStream err;
        /** What goes on while the lock is suspended: run's CMD keeps running, hold keeps holding. */
        private final String meanwhile;

        ConnectionLines(PrintStream err) {
            this(err, "CMD keeps running");
        }

        ConnectionLines(PrintStream err, String meanwhile) {
            this.err = err;
            this.meanwhile = meanwhile;
        }

        @Override
        public void suspended(String name, long token, Throwable cause) {
            err.println("distlock: lock '" + name + "' is suspended: the backend cannot confirm it now ("
                    + OneLine.of(String.valueOf(cause.getMessage())) + "); " + meanwhile + ", and the lock is lost "
                    + "only if it is not confirmed within its lease");
        }

        @Override
        public void restored(String name, long token) {
            err.println("distlock: lock '" + name + "' is held again: the backend confirmed it");
        }
    }

    static String defaultName(String command) {
        Path base = Path.of(command).getFileName();
        return base == null ? command : base.toString();
    }

    /**
     * One run: acquire, start CMD, wait for it, release. The shutdown hook (SIGINT/SIGTERM) may
     * arrive at any point; the monitor makes "start CMD" and "stop" exclusive, so either the hook
     * sees the child and stops it, or the child is never started.
     */
    private final class Supervisor implements SignalEscalation.Target {
        private final LockManager locks;
        private final String lockName;
        private final PrintStream err = cli.err;
        private @Nullable Lock held;
        private @Nullable Process child;
        /** Set with {@link #child}: how CMD is stopped when it must be. */
        private @Nullable CommandStopper stopper;
        /** Null where there is none (no /proc, or it could not start). */
        private final @Nullable Watchdog watchdog;
        private @Nullable StatusLine statusLine;
        private boolean stopping;
        private boolean finished;
        /** The first signal's name (INT, TERM, HUP), once one has arrived. */
        private volatile @Nullable String firstSignal;
        private volatile boolean lost;

        Supervisor(LockManager locks, String lockName, @Nullable Watchdog watchdog) {
            this.locks = locks;
            this.lockName = lockName;
            this.watchdog = watchdog;
        }

        int run() {
            Lock lock;
            try {
                lock = acquire();
            } catch (LockTimeoutException busy) {
                err.println("distlock: " + busyLine(busy));
                return taking.conflictExitCode;
            } catch (LockException closedBySignal) {
                if (isStopping()) {
                    return TERMINATED;
                }
                throw closedBySignal;
            }
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            BackendOption.withoutSecrets(builder.environment());
            builder.environment().put("DISTLOCK_NAME", lockName);
            builder.environment().put("DISTLOCK_TOKEN", Long.toString(lock.token()));
            Process started;
            synchronized (this) {
                held = lock;
                if (stopping) {
                    return TERMINATED;
                }
                try {
                    started = builder.start();
                } catch (IOException e) {
                    StartFailure failure = StartFailure.of(e);
                    err.println("distlock: cannot run '" + command.get(0) + "': " + failure.reason());
                    return failure.status();
                }
                child = started;
                boolean watched = watchdog != null && watchdog.watch(started.pid());
                if (watchdog != null && !watched) {
                    err.println("distlock: the watchdog that stops CMD should distlock be killed has ended; "
                            + "running CMD without it");
                }
                stopper = new CommandStopper(started, watched ? watchdog : null, killAfter, err);
                if (timeout != null) {
                    stopper.limitTo(timeout);
                }
            }
            if (lost && killOnLost) {
                stopper.terminate(null);
            }
            int status = waitUninterruptibly(started);
            boolean lostWhileRunning = lost;
            stopper.awaitKill();
            if (firstSignal == null) {
                // Released here, before the status is decided: a force-release between the last
                // renewal and CMD's end is found by the release (lockLost), and it was lost while CMD ran.
                releaseHeld();
                lostWhileRunning = lostWhileRunning || lost;
            }
            // After a signal the status is the signal's (RunCommand.call), so this would say the wrong thing.
            if (lostWhileRunning && firstSignal == null) {
                err.println("distlock: CMD ended (status " + status + ") after lock '" + lockName
                        + "' was lost while it ran; exiting " + ExitCodes.LOST);
                return ExitCodes.LOST;
            }
            return stopper.timedOut() ? ExitCodes.TIMED_OUT : status;
        }

        // Runs only after call() set waitLeft.
        @SuppressWarnings("NullAway")
        private Lock acquire() {
            return taking.acquire(locks, lockName, waitLeft, (lock, cause) -> lockLost(cause), err, this::showStatusLine);
        }

        /** The status line while waiting, unless a signal came first. */
        private synchronized boolean showStatusLine(StatusLine line) {
            if (stopping) {
                return false;
            }
            statusLine = line;
            return true;
        }

        private String busyLine(LockTimeoutException busy) {
            return taking.busyLine(lockName, busy);
        }

        private void lockLost(Throwable cause) {
            lost = true;
            CommandStopper running;
            synchronized (this) {
                running = stopper;
            }
            // Found by the release after CMD ended (a force-release between two renewals): said as such.
            boolean ended = running != null && !running.isRunning();
            String action = ended ? "" : !killOnLost ? "; CMD keeps running (--kill-on-lost would stop it), and run "
                    + "will exit " + ExitCodes.LOST : running != null ? "; stopping CMD (--kill-on-lost)" : "";
            err.println("distlock: lost lock '" + lockName + "' while CMD was running" + (ended ? " (found after "
                    + "CMD ended)" : "") + ": " + OneLine.of(cause.getMessage()) + action);
            if (killOnLost && running != null && !ended) {
                running.terminate(null);
            }
        }

        /** The shutdown hook: SIGTERM to CMD, wait for it to end, then release. */
        void stopOnSignal() {
            Process running;
            CommandStopper ending;
            StatusLine line;
            synchronized (this) {
                stopping = true;
                running = child;
                ending = stopper;
                line = statusLine;
            }
            if (line != null) {
                line.stop();
            }
            // The stopper is set with the child, so a running child has one.
            if (running != null && ending != null && running.isAlive()) {
                String signal = firstSignal;
                if (signal != null && Terminal.stderrIsInteractive()) {
                    // On a terminal only: a person who pressed Ctrl-C may wonder why nothing seems
                    // to happen while CMD cleans up; a script's log gets the lines of what follows.
                    err.println("distlock: got SIG" + signal + ": sending CMD (pid " + running.pid() + ") SIGTERM; "
                            + "lock '" + lockName + "' is released once it has ended (SIG" + signal + " again kills it)");
                }
                ending.terminate(null);
                waitUninterruptibly(running);
            }
            if (ending != null) {
                ending.awaitKill();
            }
            finish();
        }

        /** The first SIGINT/SIGTERM/SIGHUP: noted for the shutdown hook, which the JVM's exit runs next. */
        @Override
        public void first(String signal) {
            firstSignal = signal;
        }

        /** Every later signal: SIGKILL to CMD and its tree, after which the hook releases the lock. */
        @Override
        public void again(String signal) {
            CommandStopper running;
            synchronized (this) {
                running = stopper;
            }
            if (running != null) {
                running.kill("got SIG" + signal + " again while CMD (pid " + running.pid() + ") was being stopped");
            }
        }

        private synchronized boolean isStopping() {
            return stopping;
        }

        synchronized void finish() {
            if (finished) {
                return;
            }
            finished = true;
            // CMD has ended (or never started): the watchdog finds nothing to stop and exits.
            if (watchdog != null) {
                watchdog.close();
            }
            try {
                releaseHeld();
            } finally {
                locks.close();
            }
        }

        /**
         * Releases the lock, once. A lock the release finds taken away is reported by lockLost, with
         * why; false otherwise means the backend gave no answer.
         */
        private synchronized void releaseHeld() {
            Lock lock = held;
            held = null;
            if (lock != null && !lock.release() && !lost) {
                err.println("distlock: lock '" + lockName + "' could not be released: the backend did not "
                        + "answer; it stays held until its lease (--lease) ends");
            }
        }
    }

    private static int waitUninterruptibly(Process process) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Why the command could not start, and the shell's status for it: 127 for "not found" (errno 2),
     * else 126. The JDK words the errno differently across versions: {@code error=2, No such file or
     * directory} (17), {@code Exec failed, error: 2 (No such file or directory)} (25).
     */
    record StartFailure(int status, String reason) {
        private static final Pattern ERRNO = Pattern.compile("error(?:=|: )(\\d+),? \\(?([^()]+?)\\)?\\s*$");

        static StartFailure of(IOException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            Matcher errno = ERRNO.matcher(message);
            if (errno.find()) {
                int status = errno.group(1).equals("2") ? ExitCodes.NOT_FOUND : ExitCodes.CANNOT_EXECUTE;
                return new StartFailure(status, errno.group(2).strip());
            }
            return new StartFailure(ExitCodes.CANNOT_EXECUTE, OneLine.of(message));
        }
    }
}
