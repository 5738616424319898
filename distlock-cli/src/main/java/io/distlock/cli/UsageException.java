package io.distlock.cli;

/** Something the user must change on the command line; exits {@link ExitCodes#USAGE}. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
