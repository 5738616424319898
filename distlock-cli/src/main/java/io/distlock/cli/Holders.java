package io.distlock.cli;

import io.distlock.spi.Durations;
import io.distlock.spi.Printable;
import io.distlock.LockInfo;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * How a holder reads in one line of human output. Whatever a holder record holds was written by some
 * client of the backend, so its text fields reach the terminal only through {@link Printable#of}.
 */
final class Holders {
    private Holders() {
    }

    /** {@code host db1 pid 4242 since 2025-11-22T18:00:00Z (for 3m05s)}. */
    static String describe(LockInfo holder, Instant now) {
        return "host " + Printable.of(holder.host()) + " pid " + holder.pid() + " since " + since(holder) + " (for "
                + heldFor(holder, now) + ")";
    }

    /**
     * What to add to the busy line when the holder is this process or one of its ancestors on this
     * host: a {@code run} whose CMD started this {@code run} on the same name (directly or through a
     * script), which can only wait for itself, since the outer run ends only after its CMD.
     *
     * @return "" when the holder is anyone else
     */
    static String nestedHint(LockInfo holder) {
        if (!isThisProcessOrAncestor(holder, localHostName(), ProcessHandle.current())) {
            return "";
        }
        return "; the holder, pid " + holder.pid() + " on this host, is "
                + (holder.pid() == ProcessHandle.current().pid() ? "this very process"
                : "an ancestor of this distlock (a run whose CMD started this one)")
                + ": a nested run on the same name only waits for itself, so use another name "
                + "(the library's reentrant option covers one thread of one JVM, not a process and its children)";
    }

    /**
     * Whether {@code holder} is {@code self} or an ancestor of it on {@code thisHost}. A pid reused
     * by an ancestor after the holder died does not count: the ancestor must have started before
     * the lock was acquired (both times from this host's clock; a second's leeway for the
     * granularity of process start times).
     */
    static boolean isThisProcessOrAncestor(LockInfo holder, String thisHost, ProcessHandle self) {
        if (holder.host() == null || !holder.host().equals(thisHost)) {
            return false;
        }
        for (Optional<ProcessHandle> process = Optional.of(self); process.isPresent();
             process = process.get().parent()) {
            if (process.get().pid() == holder.pid()) {
                Optional<Instant> started = process.get().info().startInstant();
                return holder.acquiredAt() == null || started.isEmpty()
                        || !started.get().isAfter(holder.acquiredAt().plusSeconds(1));
            }
        }
        return false;
    }

    /** This host's name as the engine records it in a holder record (distlock-core's Owner). */
    static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String fromEnv = System.getenv("HOSTNAME");
            return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "localhost";
        }
    }

    static String since(LockInfo holder) {
        return holder.acquiredAt() == null ? "an unknown time"
                : holder.acquiredAt().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Counted on the holder's wall clock against ours, so never shown below zero. */
    static String heldFor(LockInfo holder, Instant now) {
        if (holder.acquiredAt() == null) {
            return "?";
        }
        Duration held = Duration.between(holder.acquiredAt(), now);
        return Durations.format(held.isNegative() ? Duration.ZERO : held);
    }

    static String expiresIn(LockInfo holder, Instant now) {
        if (holder.expiresAt() == null) {
            return "?";
        }
        Duration left = Duration.between(now, holder.expiresAt());
        return left.isNegative() ? "lapsed" : Durations.format(left);
    }
}
