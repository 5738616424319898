package io.distlock.redis;

import io.distlock.LockBackendException;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.Durations;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the {@link RedisScript}s by SHA and waits for answers within the command timeout.
 *
 * <p>A server that lost its script cache (restart, failover, {@code SCRIPT FLUSH}) answers
 * {@code NOSCRIPT}; the runner then sends the script once with {@code EVAL}, which also caches it.
 * Every failure becomes a {@link LockBackendException} naming the operation, the lock and the
 * masked URI, its text built only on failure, so the hot path does not pay for it.
 */
final class ScriptRunner {
    private final RedisSettings settings;
    private final RedisClusterAsyncCommands<String, String> commands;

    ScriptRunner(RedisSettings settings, RedisClusterAsyncCommands<String, String> commands) {
        this.settings = settings;
        this.commands = commands;
    }

    /** The command connection's commands: every script runs there unless WAIT must follow it to a node. */
    RedisClusterAsyncCommands<String, String> commands() {
        return commands;
    }

    /** When a command sent now must have answered. */
    long deadline() {
        return Durations.deadlineNanos(System.nanoTime(), settings.commandTimeout());
    }

    /**
     * Loads every script and waits for the server to confirm, so none of them can answer NOSCRIPT
     * later. That matters beyond speed: a release that gives up on a frozen server is still
     * delivered when it thaws, and must then delete the lock its timed-out acquire took, with no
     * caller left to resend it by EVAL.
     */
    void loadAll() {
        long deadline = deadline();
        for (RedisFuture<String> loaded : sendLoads()) {
            await(loaded, deadline, "SCRIPT LOAD");
        }
    }

    /**
     * As {@link #loadAll}, without waiting: for a reconnect to a restarted or promoted server, on
     * Lettuce's event thread, which must not block. If the connection is not ready yet, the NOSCRIPT
     * fallback covers it.
     */
    void loadAllLater() {
        try {
            sendLoads();
        } catch (RuntimeException notYetActive) {
            // EVALSHA's NOSCRIPT fallback covers it.
        }
    }

    private List<RedisFuture<String>> sendLoads() {
        List<RedisFuture<String>> loads = new ArrayList<>();
        for (RedisScript script : RedisScript.values()) {
            loads.add(commands.scriptLoad(script.body));
        }
        return loads;
    }

    /** Runs {@code script} on {@code target} and waits for its answer. */
    <T> T run(RedisClusterAsyncCommands<String, String> target, RedisScript script, ScriptOutputType type,
              String[] keys, long deadline, String operation, String lockName, String... args) {
        return collect(send(target, script, type, keys, args), target, script, type, keys, deadline, operation,
                lockName, args);
    }

    /** Sends {@code script} without waiting, for pipelining; {@link #collect} gets its answer. */
    <T> RedisFuture<T> send(RedisClusterAsyncCommands<String, String> target, RedisScript script,
                            ScriptOutputType type, String[] keys, String... args) {
        return target.evalsha(script.sha, type, keys, args);
    }

    /** The answer of a script {@link #send} sent, resending it by EVAL if the server did not know it. */
    <T> T collect(Future<T> sent, RedisClusterAsyncCommands<String, String> target, RedisScript script,
                  ScriptOutputType type, String[] keys, long deadline, String operation, String lockName,
                  String... args) {
        try {
            return await(sent, deadline, operation, lockName);
        } catch (NoScript unknown) {
            return await(target.eval(script.body, type, keys, args), deadline, operation, lockName);
        }
    }

    <T> T await(Future<T> future, long deadline, String what) {
        return await(future, deadline, what, null);
    }

    /**
     * The answer, or {@code LockBackendException} naming {@code "<operation> of lock '<lockName>'"}
     * (or just {@code operation} when lockName is null).
     */
    <T> T await(Future<T> future, long deadline, String operation, String lockName) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException | TimeoutException | ExecutionException e) {
            return failed(future, e, lockName == null ? operation : operation + " of lock '" + lockName + "'");
        }
    }

    private <T> T failed(Future<T> future, Exception failure, String what) {
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new LockBackendException("Interrupted during " + what + " on " + settings.description(), failure);
        }
        if (failure instanceof TimeoutException) {
            future.cancel(false);
            throw new LockBackendException(settings.description() + " did not answer " + what + " within "
                    + settings.commandTimeout() + " (the timeout parameter)", failure);
        }
        Throwable cause = failure.getCause();
        if (cause instanceof RedisNoScriptException
                || (cause != null && cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"))) {
            throw new NoScript();
        }
        String message = what + " on " + settings.description() + " failed: " + RedisConnection.causes(cause);
        throw RedisConnection.lostConnection(cause) ? new ConnectionUnavailableException(message, cause)
                : new LockBackendException(message, cause);
    }

    /** NOSCRIPT: {@link #collect} resends the script with EVAL. */
    private static final class NoScript extends RuntimeException {
        NoScript() {
            super(null, null, false, false);
        }
    }
}
