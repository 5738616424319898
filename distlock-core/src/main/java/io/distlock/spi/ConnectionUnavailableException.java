package io.distlock.spi;

import io.distlock.LockBackendException;
import org.jspecify.annotations.Nullable;

/**
 * A backend call failed because the connection to the server is down or being re-established
 * (ZooKeeper's ConnectionLoss, a pool with no live connection), not because the server refused it:
 * the same call may well succeed once the client has reconnected.
 *
 * <p>A backend throws it instead of a plain {@link LockBackendException} when it knows that much,
 * because its client's connection events can reach it later than the failed call does. The engine
 * then treats a waiting acquisition's failed attempt as it does any attempt made while the backend
 * has reported its connection lost (contract 6.4): the caller keeps waiting through the reconnect,
 * within its wait, and gets a {@link LockBackendException} only if the connection stays down for
 * the whole of it. A try-once, and every other operation, fails with it at once; callers see it as
 * the {@link LockBackendException} it is.
 */
public class ConnectionUnavailableException extends LockBackendException {
    public ConnectionUnavailableException(String message) {
        super(message);
    }

    public ConnectionUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code failure} says the backend could not be reached for now, so that another try
     * may cure it: a connection refused, reset or unreachable, a connect or handshake that got no
     * answer in time (a cold JVM on a loaded host can take seconds to send its first byte), a host
     * name the resolver does not answer yet, or this exception. A backend that cannot work at all
     * (a bad password, a bad URI, a directory it may not create) is not.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.UnknownHostException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof ConnectionUnavailableException) {
                return true;
            }
        }
        return false;
    }
}
