package io.distlock.cli;

import io.distlock.spi.Durations;
import io.distlock.spi.Printable;
import io.distlock.LockInfo;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

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
