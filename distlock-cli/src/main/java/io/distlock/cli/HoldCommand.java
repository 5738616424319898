package io.distlock.cli;

import io.distlock.Lock;
import io.distlock.LockException;
import io.distlock.LockManager;
import io.distlock.LockTimeoutException;
import io.distlock.spi.Printable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code distlock hold NAME}: the lock for part of a script, which runs no command itself. Its
 * caller is its standard input: the lock is held for as long as that stays open, so a caller that
 * ends, however it ends, closes the pipe and the lock is released.
 */
@Command(name = "hold", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = LockTaking.Defaults.class,
        description = {"Take the lock NAME, print one line on stdout, DISTLOCK_NAME='NAME' DISTLOCK_TOKEN=N, "
                + "and hold the lock, renewing its lease, until standard input closes (its caller closed it or "
                + "ended) or SIGINT, SIGTERM or SIGHUP comes; then release it and exit 0.",
                "For locking part of a script from a shell coproc or a Python subprocess: see the README.",
                "75: the lock stayed busy for the whole wait, or input closed first (no line printed). 125: the "
                        + "lock was lost while held (one stderr line, and hold exits at once)."})
final class HoldCommand implements Callable<Integer> {
    @ParentCommand
    DistlockCommand cli;

    @Mixin
    BackendOption backend;

    @Parameters(paramLabel = "NAME", description = "The lock's name.")
    String name;

    @Mixin
    LockTaking taking;

    @Override
    public Integer call() {
        Holding holding = new Holding(name, cli.out, cli.err);
        // From the start: a caller that ends while hold still connects or waits ends the wait.
        watchInput(System.in, holding);
        long start = System.nanoTime();
        LockManager locks = taking.openWithinWait(backend, cli,
                new RunCommand.ConnectionLines(cli.err, "hold keeps it"), start, null, holding::isWanted);
        if (!holding.opened(locks)) {
            locks.close();
            return holding.gaveUp();
        }
        Duration waitLeft = taking.waitLeftAfter(start);
        Thread onSignal = new Thread(holding::stopOnSignal, "distlock-signal");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            return holding.run(waitLeft);
        } finally {
            holding.finish();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or has run; it decides the exit status.
            }
        }
    }

    /**
     * Reads standard input to its end on a daemon thread: what the caller writes is ignored, and
     * only the end counts. A blocked read cannot be interrupted, hence a thread of its own.
     */
    private static void watchInput(InputStream input, Holding holding) {
        Thread reader = new Thread(() -> {
            byte[] ignored = new byte[512];
            try {
                while (input.read(ignored) >= 0) {
                    // What the caller writes means nothing; only the end of input does.
                }
            } catch (IOException closedOrNone) {
                // No input to wait on (a closed descriptor): the same as its end.
            }
            holding.inputEnded();
        }, "distlock-input");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The line hold prints once it has the lock: {@code DISTLOCK_NAME='NAME' DISTLOCK_TOKEN=N}, fields
     * of the form KEY=VALUE separated by one space, that a POSIX shell's {@code eval} and Python's
     * {@code shlex.split} both read. The name is single-quoted (a quote in it as {@code '\''}), and
     * written exactly unless it holds a character a terminal would act on (a control character, a
     * bidirectional override): then as {@link Printable} shows it, so the line stays one printable line.
     */
    static String fieldsLine(String name, long token) {
        String withoutBackslashes = name.replace('\\', '/');
        String shown = Printable.of(withoutBackslashes).equals(withoutBackslashes) ? name : Printable.of(name);
        return "DISTLOCK_NAME='" + shown.replace("'", "'\\''") + "' DISTLOCK_TOKEN=" + token;
    }

    /**
     * One hold, from its wait to its release. Four threads may end it: the main thread (the wait
     * ended, busy or not), the input reader (the caller closed its end), the renewal thread (the
     * lock was lost) and the shutdown hook (a signal). The monitor orders them: the line is printed
     * only while none has ended it, and once printed, every end releases the lock first. The
     * renewal thread never waits for the monitor, which is held while releasing.
     */
    private final class Holding {
        private final String name;
        private final PrintStream out;
        private final PrintStream err;
        /** Counted down by each of the ends: the caller's input, a loss, a signal. */
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean lost;
        private @Nullable LockManager locks;
        private @Nullable StatusLine statusLine;
        private @Nullable Lock held;
        private boolean announced;
        private boolean inputEnded;
        private boolean stopping;
        private boolean finished;

        Holding(String name, PrintStream out, PrintStream err) {
            this.name = name;
            this.out = out;
            this.err = err;
        }

        /** Whether to go on trying to reach the backend: not once the caller has gone. */
        synchronized boolean isWanted() {
            return !inputEnded;
        }

        /** @return false if the caller went away while the backend was being reached */
        synchronized boolean opened(LockManager manager) {
            locks = manager;
            return !inputEnded;
        }

        /** The line for a caller that closed its end before the lock was taken. */
        int gaveUp() {
            err.println("distlock: standard input closed before lock '" + Printable.of(name)
                    + "' was taken; gave up waiting");
            return ExitCodes.BUSY;
        }

        // Runs only after opened(locks) set locks.
        @SuppressWarnings("NullAway")
        int run(Duration waitLeft) {
            Lock lock;
            try {
                lock = taking.acquire(locks, name, waitLeft, (taken, cause) -> lockLost(cause), err,
                        this::showStatusLine);
            } catch (LockTimeoutException busy) {
                err.println("distlock: " + taking.busyLine(name, busy));
                return taking.conflictExitCode;
            } catch (LockException closed) {
                synchronized (this) {
                    if (stopping) {
                        return ExitCodes.BUSY; // not announced: the JVM's own 128+N stands
                    }
                    if (inputEnded) {
                        return gaveUp();
                    }
                }
                throw closed;
            }
            synchronized (this) {
                held = lock;
                if (stopping) {
                    return ExitCodes.BUSY; // as above
                }
                if (inputEnded) {
                    return gaveUp();
                }
                if (!lost) {
                    out.println(fieldsLine(name, lock.token()));
                    out.flush();
                    announced = true;
                }
            }
            awaitUninterruptibly(ended);
            return finish();
        }

        /** The status line while waiting, unless the wait has already been ended. */
        private synchronized boolean showStatusLine(StatusLine line) {
            if (stopping || inputEnded) {
                return false;
            }
            statusLine = line;
            return true;
        }

        /** The input reader's: the caller closed its end or ended. */
        void inputEnded() {
            LockManager toClose;
            StatusLine line;
            synchronized (this) {
                inputEnded = true;
                // Before the line, nothing is held for the caller: a wait for the lock ends at once.
                toClose = announced ? null : locks;
                line = statusLine;
            }
            ended.countDown();
            if (line != null) {
                line.stop();
            }
            if (toClose != null) {
                toClose.close();
            }
        }

        private void lockLost(Throwable cause) {
            // The line first: the count-down lets the main thread exit, which would cut it off.
            err.println("distlock: lost lock '" + Printable.of(name) + "' while holding it: "
                    + OneLine.of(cause.getMessage()) + "; exiting " + ExitCodes.LOST);
            err.flush();
            lost = true;
            ended.countDown();
        }

        /**
         * The shutdown hook (SIGINT, SIGTERM, SIGHUP): release, and exit 0 (or 125 for a lock
         * lost meanwhile) if the line was printed; before that, the JVM's own 128+N stands.
         */
        void stopOnSignal() {
            StatusLine line;
            synchronized (this) {
                stopping = true;
                line = statusLine;
            }
            ended.countDown();
            if (line != null) {
                line.stop();
            }
            int status = finish();
            boolean wasAnnounced;
            synchronized (this) {
                wasAnnounced = announced;
            }
            if (wasAnnounced) {
                err.flush();
                out.flush();
                // A shutdown hook can choose the exit status only by halting. The release is done,
                // and distlock has no other hook that could still be working.
                Runtime.getRuntime().halt(status);
            }
        }

        /**
         * Releases the lock (once, whoever comes first; a second caller waits for the first) and
         * closes the manager, which also ends a wait still under way.
         *
         * @return 0, or {@link ExitCodes#LOST} if the lock was lost or the release found it gone
         */
        synchronized int finish() {
            if (!finished) {
                finished = true;
                try {
                    // A release that finds the lock gone reports it through lockLost, with why (the
                    // engine tells expired from taken away); false otherwise means no answer.
                    boolean confirmed = held != null && held.release();
                    if (held != null && !confirmed && !lost) {
                        lost = true;
                        if (announced) {
                            err.println("distlock: lock '" + Printable.of(name) + "' could not be released: the "
                                    + "backend did not answer, and it stays held until its lease ends; exiting "
                                    + ExitCodes.LOST);
                        }
                    }
                } finally {
                    if (locks != null) {
                        locks.close();
                    }
                }
            }
            return lost ? ExitCodes.LOST : ExitCodes.OK;
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // Nothing interrupts this thread on purpose; only the latch ends the wait.
            }
        }
    }
}
