package io.distlock.cli;

import io.distlock.spi.Durations;
import io.distlock.spi.Printable;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import org.jspecify.annotations.Nullable;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One line on a terminal, rewritten in place with a carriage return while {@code run} waits: who
 * holds the lock, for how long, and how long this wait has left. It asks the backend a few times a
 * second from its own thread; the waiting itself stays the engine's business. Padding with spaces
 * (rather than an ANSI erase) keeps it readable on any terminal.
 */
final class StatusLine {
    private static final long REFRESH_MILLIS = 250;
    private static final int WIDTH = 79;

    private final LockManager locks;
    private final String name;
    private final Duration wait;
    private final long startNanos;
    private final PrintStream err;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private int shown;

    StatusLine(LockManager locks, String name, Duration wait, long startNanos, PrintStream err) {
        this.locks = locks;
        this.name = name;
        this.wait = wait;
        this.startNanos = startNanos;
        this.err = err;
        this.thread = new Thread(this::refreshUntilStopped, "distlock-status-line");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops refreshing and wipes the line, so what follows on stderr starts on a clean line. */
    void stop() {
        stopped.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (shown > 0) {
                err.print("\r" + " ".repeat(shown) + "\r");
                err.flush();
                shown = 0;
            }
        }
    }

    private void refreshUntilStopped() {
        try {
            do {
                Optional<LockInfo> holder;
                try {
                    holder = locks.inspect(name);
                } catch (RuntimeException backendHiccup) {
                    holder = Optional.empty();
                }
                show(render(holder.orElse(null)));
            } while (!stopped.await(REFRESH_MILLIS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String render(@Nullable LockInfo holder) {
        String shownName = Printable.of(name);
        String who = holder == null ? "'" + shownName + "' is being released"
                : "'" + shownName + "' held by " + Printable.of(holder.host()) + " pid " + holder.pid() + " for "
                + Holders.heldFor(holder, Instant.now());
        String left;
        if (wait.isNegative()) {
            left = "waiting forever";
        } else {
            Duration remaining = wait.minusNanos(System.nanoTime() - startNanos);
            left = Durations.format(remaining.isNegative() ? Duration.ZERO : remaining) + " left to wait";
        }
        String line = "distlock: " + who + "; " + left;
        return line.length() <= WIDTH ? line : line.substring(0, WIDTH - 3) + "...";
    }

    private synchronized void show(String line) {
        if (stopped.getCount() == 0) {
            return;
        }
        int pad = Math.max(0, shown - line.length());
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        shown = Math.max(shown, line.length());
    }
}
