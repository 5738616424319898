package io.distlock.cli;

import io.distlock.LockBackends;
import io.distlock.LockListener;
import io.distlock.LockManager;
import io.distlock.file.FileLockBackend;
import io.distlock.spi.LockBackend;
import io.distlock.spi.Secrets;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/**
 * {@code --backend URI}, else the {@code DISTLOCK_BACKEND} variable, else the embedded default.
 * Secrets belong in the URI's user info or in the variables the backend documents; nothing asks for
 * them as a separate argument, so they need not appear in {@code ps}. The command {@code run} starts
 * gets none of them: {@link #withoutSecrets(Map)}.
 */
final class BackendOption {
    static final String VARIABLE = "DISTLOCK_BACKEND";
    /** The variables that hold a backend's password (read by the Redis and JDBC backends). */
    static final List<String> PASSWORD_VARIABLES = List.of("DISTLOCK_REDIS_PASSWORD", "DISTLOCK_JDBC_PASSWORD");
    /** The file backend in its default directory. */
    static final String DEFAULT_URI = "file:";

    @Option(names = "--backend", paramLabel = "URI",
            description = {"Where the locks live: file:/path, redis://host:port, memcached://host:port, "
                    + "zookeeper://host:port/chroot, jdbc:postgresql://host/db, ... "
                    + "Default: $" + VARIABLE + ", else " + DEFAULT_URI + " (a directory per Unix user: "
                    + "other users' processes do not share its locks; to share them, file:/dir?group=GROUP)",
            "Passwords: $DISTLOCK_REDIS_PASSWORD, $DISTLOCK_JDBC_PASSWORD (or the URI's user info); run's CMD "
                    + "gets neither variable, and $" + VARIABLE + " only with its password masked."})
    String uri;

    /**
     * The environment {@code run}'s command gets: the password variables removed, and
     * {@value #VARIABLE} with any password in it masked ({@code redis://:***@host}), so that a
     * command that logs or passes on its environment leaks no secret, while a {@code distlock}
     * started by the command fails loudly on the masked password instead of quietly using another
     * backend.
     */
    static void withoutSecrets(Map<String, String> environment) {
        PASSWORD_VARIABLES.forEach(environment::remove);
        String uri = environment.get(VARIABLE);
        if (uri != null) {
            environment.put(VARIABLE, Secrets.mask(uri));
        }
    }

    String resolve(Map<String, String> env) {
        if (uri != null) {
            return uri;
        }
        String fromEnv = env.get(VARIABLE);
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_URI : fromEnv;
    }

    /** @throws IllegalArgumentException for an unknown scheme or a malformed URI (a usage error) */
    LockManager open(Map<String, String> env) {
        return open(env, LockListener.NONE);
    }

    /** As {@link #open(Map)}, with a listener on the manager's locks. */
    LockManager open(Map<String, String> env, LockListener listener) {
        return open(env, listener, null);
    }

    /**
     * As {@link #open(Map, LockListener)}; on the file backend, {@code guard} (unless null) is one
     * of the holder processes of every lock acquired: such a lock is free only once both this JVM
     * and the guard have ended. Other backends free a dead holder's lock only with its lease.
     */
    LockManager open(Map<String, String> env, LockListener listener, @Nullable ProcessHandle guard) {
        LockBackend backend = LockBackends.open(resolve(env));
        if (guard != null && backend instanceof FileLockBackend file) {
            file.addGuardProcess(guard);
        }
        return LockManager.builder(backend).listener(listener).build();
    }
}
