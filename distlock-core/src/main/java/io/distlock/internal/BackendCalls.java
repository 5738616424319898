package io.distlock.internal;

import io.distlock.LockBackendException;
import io.distlock.LockException;
import io.distlock.LockListener;
import io.distlock.spi.LockBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * How the engine talks to its backend and its listener when something goes wrong: every backend
 * failure becomes a {@link LockBackendException} that names the operation, the lock and the backend
 * (contract 6.5); a release that must not throw is quiet; listeners can never break locking.
 */
final class BackendCalls {
    private static final Logger log = LoggerFactory.getLogger(LockEngine.class);

    final LockBackend backend;
    final LockListener listener;

    BackendCalls(LockBackend backend, LockListener listener) {
        this.backend = backend;
        this.listener = listener;
    }

    /** Runs a backend call whose failure the caller should see as a {@link LockException}. */
    <T> T call(String operation, String name, Supplier<T> call) {
        try {
            return call.get();
        } catch (LockException e) {
            throw e;
        } catch (UnsupportedOperationException e) {
            throw new LockException(operation + " is not supported by " + backend.describe() + ": " + e.getMessage(), e);
        } catch (RuntimeException failure) {
            throw failure(operation, name, failure);
        }
    }

    /** {@code failure} as a {@link LockBackendException} naming what failed; tells the listener. */
    LockException failure(String operation, String name, RuntimeException failure) {
        LockBackendException wrapped = failure instanceof LockBackendException lbe ? lbe
                : new LockBackendException(operation + " of lock '" + name + "' on " + backend.describe()
                + " failed: " + failure, failure);
        notifyListener(() -> listener.backendFailed(operation, name, wrapped));
        return wrapped;
    }

    /** What a release found: the lock removed, not this owner's any more, or no answer (the backend failed). */
    enum Released {
        REMOVED, NOT_OWNED, FAILED
    }

    /** Release by owner id, from any thread, interrupted or not. False if not removed or on failure. */
    boolean quietlyRelease(String name, String ownerId) {
        return release(name, ownerId) == Released.REMOVED;
    }

    /** As {@link #quietlyRelease}, telling "not ours any more" from "the backend failed" (logged). */
    Released release(String name, String ownerId) {
        boolean interrupted = Thread.interrupted();
        try {
            return backend.release(name, ownerId) ? Released.REMOVED : Released.NOT_OWNED;
        } catch (RuntimeException failure) {
            log.warn("Could not release lock '{}' on {}; it stays until its lease ends: {}", name,
                    backend.describe(), failure.toString());
            return Released.FAILED;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static boolean causedByInterrupt(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    static void notifyListener(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            log.warn("A distlock listener threw; ignored", e);
        }
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }
}
