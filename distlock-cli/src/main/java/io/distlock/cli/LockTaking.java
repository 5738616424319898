package io.distlock.cli;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockDefaults;
import io.distlock.LockException;
import io.distlock.LockListener;
import io.distlock.LockLostListener;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.spi.Durations;
import io.distlock.spi.OpenRetry;
import io.distlock.spi.Printable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * How {@code run} and {@code hold} take a lock, one rule for both: the lease and wait options,
 * reaching the backend within the wait, the live status line while waiting, and the busy line.
 */
final class LockTaking {
    static final String LEASE = "--lease";
    static final String WAIT = "--wait";

    // --lease is the API's and @Locked's word; --expires, Zato's (lock(expires=...)) and this
    // tool's first, stays an alias for good, without a warning.
    @Option(names = {"-e", LEASE, "--expires"}, paramLabel = "DURATION",
            converter = DurationConverters.Positive.class,
            description = "The lease: how long the lock outlives a holder that dies without releasing it. "
                    + "Renewed every third of it for as long as the lock is held. --expires is another name "
                    + "for it. Default: ${DEFAULT-VALUE}.")
    Duration lease;

    @Option(names = {"-w", WAIT}, paramLabel = "DURATION",
            converter = DurationConverters.Wait.class,
            description = "How long to wait for a busy lock: a duration, 0 (try once) or forever. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration wait;

    @Option(names = {"-E", "--conflict-exit-code"}, paramLabel = "N", defaultValue = "" + ExitCodes.BUSY,
            converter = ExitStatusConverter.class,
            description = "The exit status when the lock stays busy for the whole wait (run: CMD does not run), "
                    + "0 to 255, like flock -E. Default: ${DEFAULT-VALUE}.")
    int conflictExitCode;

    @Option(names = {"-q", "--quiet"}, description = "No live status line while waiting.")
    boolean quiet;

    /**
     * Opens the backend by the SPI's one rule ({@link OpenRetry}) within {@code --wait}, saying once on
     * stderr that it tries again; {@code --wait 0} tries once (exit 69 at once).
     */
    LockManager openWithinWait(BackendOption backend, DistlockCommand cli, LockListener listener, long start,
                               ProcessHandle guard) {
        return openWithinWait(backend, cli, listener, start, guard, () -> true);
    }

    /** As above; while {@code stillWanted} says false, no further attempt is made (its caller went away). */
    LockManager openWithinWait(BackendOption backend, DistlockCommand cli, LockListener listener, long start,
                               ProcessHandle guard, BooleanSupplier stillWanted) {
        return OpenRetry.within(wait, start, () -> backend.open(cli.env, listener, guard), unreachable -> {
            if (!quiet) {
                cli.err.println("distlock: cannot reach the backend yet (" + OneLine.of(String.valueOf(
                        unreachable.getMessage())) + "); trying again within --wait " + Durations.format(wait));
            }
        }, stillWanted);
    }

    /** The wait still open once the backend is reached at {@code start}: --wait less the time the connect took. */
    Duration waitLeftAfter(long start) {
        Duration spent = Duration.ofNanos(System.nanoTime() - start);
        return wait.isNegative() || wait.isZero() ? wait
                : wait.compareTo(spent) > 0 ? wait.minus(spent) : Duration.ZERO;
    }

    /**
     * Acquires {@code lockName} with auto-renewal within {@code waitLeft}, showing the status line
     * while it waits on a terminal. {@code showStatusLine} is asked before the line starts, so that
     * a signal handler can stop it: false means the caller is stopping, and the acquire ends with a
     * {@link LockException}.
     */
    Lock acquire(LockManager locks, String lockName, Duration waitLeft, LockLostListener onLost, PrintStream err,
                 Predicate<StatusLine> showStatusLine) {
        LockOptions options = LockOptions.builder()
                .lease(lease)
                .waitTime(waitLeft)
                .autoRenew(true)
                .onLost(onLost)
                .build();
        if (waitLeft.isZero() || quiet) {
            return locks.acquire(lockName, options);
        }
        long start = System.nanoTime();
        Optional<Lock> atOnce = locks.tryAcquire(lockName, options);
        if (atOnce.isPresent()) {
            return atOnce.get();
        }
        Duration remaining = waitLeft.isNegative() ? waitLeft : waitLeft.minusNanos(System.nanoTime() - start);
        LockOptions rest = options.toBuilder()
                .waitTime(remaining.isNegative() && !waitLeft.isNegative() ? Duration.ZERO : remaining)
                .build();
        if (!Terminal.stderrIsInteractive()) {
            return locks.acquire(lockName, rest);
        }
        StatusLine line = new StatusLine(locks, lockName, wait, start, err);
        if (!showStatusLine.test(line)) {
            throw new LockException("stopped by a signal while waiting for '" + lockName + "'");
        }
        line.start();
        try {
            return locks.acquire(lockName, rest);
        } finally {
            line.stop();
        }
    }

    /**
     * The defaults of {@code --lease} and {@code --wait}: {@link LockDefaults}'s, in the grammar the
     * options take, so that help, man page and parsing all show and use the one value.
     */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argument) {
            if (argument instanceof OptionSpec option) {
                List<String> names = List.of(option.names());
                if (names.contains(LEASE)) {
                    return Durations.formatExact(LockDefaults.LEASE);
                }
                if (names.contains(WAIT)) {
                    return Durations.formatExact(LockDefaults.WAIT);
                }
            }
            return null;
        }
    }

    String busyLine(String lockName, LockTimeoutException busy) {
        String waited = wait.isZero() ? "it was busy (--wait 0)"
                : "gave up after waiting " + Durations.format(wait);
        return busy.holder()
                .map(h -> "lock '" + Printable.of(lockName) + "' is held by " + Holders.describe(h, Instant.now()) + "; "
                        + waited + Holders.nestedHint(h))
                .orElse("lock '" + Printable.of(lockName) + "' was busy; " + waited + ", and it was free again at the last "
                        + "look (released or expired just then)");
    }
}
