package io.distlock.spi;

import io.distlock.LockBackendException;

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

    public ConnectionUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
