package io.distlock.cli;

/**
 * The exit statuses of {@code distlock}, from BSD's sysexits.h where one fits, so scripts can tell
 * "try later" from "you typed it wrong" from "the backend is down". {@code run} otherwise exits with
 * its command's own status.
 */
final class ExitCodes {
    static final int OK = 0;
    /** {@code status}: the lock is free. */
    static final int NOT_HELD = 1;
    /** EX_USAGE: bad arguments, bad duration, unknown backend scheme, malformed URI or name. */
    static final int USAGE = 64;
    /** EX_UNAVAILABLE: the backend failed or could not be reached. */
    static final int BACKEND_UNAVAILABLE = 69;
    /** EX_SOFTWARE: a bug in distlock itself. */
    static final int INTERNAL = 70;
    /** EX_TEMPFAIL: the lock stayed busy for the whole wait (like {@code flock -E 75}). */
    static final int BUSY = 75;
    /** {@code run}: CMD ran past {@code --timeout} and was stopped, as timeout(1) says it. */
    static final int TIMED_OUT = 124;
    /**
     * The lock was lost: {@code run}, while CMD ran, so CMD did not run exclusively to its end;
     * {@code hold}, while held (the backend said it was no longer ours, or its lease ran out
     * unconfirmed), or its release found it gone. The status coreutils' wrappers (env, nice,
     * timeout) give when the wrapper, not the command, failed.
     */
    static final int LOST = 125;
    /** The command exists but could not be started, as a shell says it. */
    static final int CANNOT_EXECUTE = 126;
    /** The command was not found, as a shell says it. */
    static final int NOT_FOUND = 127;

    private ExitCodes() {
    }
}
