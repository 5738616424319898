package io.distlock.spring;

import io.distlock.LockBackends;
import io.distlock.LockListener;
import io.distlock.LockManager;
import io.distlock.spi.Durations;
import io.distlock.spi.LockBackend;
import io.distlock.spi.OpenRetry;
import io.distlock.spi.Secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** {@code distlock.*} to a {@link LockManager}: every value checked, every failure naming its property. */
final class ManagerFactory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ManagerFactory.class);

    private ManagerFactory() {
    }

    static LockManager create(DistlockProperties properties, List<LockListener> listeners, List<BackendOpener> openers) {
        Duration lease = property("distlock.lease", properties.getLease(), Durations::parsePositive);
        Duration wait = property("distlock.wait", properties.getWait(), Durations::parseWait);
        Duration retry = property("distlock.retry-interval", properties.getRetryInterval(), Durations::parsePositive);
        LockBackend backend = openWithin(wait, properties, openers);
        LOG.info("distlock: locks on {}, shared across {}", backend.describe(), scope(backend.describe()));
        try {
            return LockManager.builder(backend).defaultLease(lease).defaultWaitTime(wait).defaultRetryInterval(retry)
                    .autoRenew(properties.isAutoRenew()).listener(Listeners.of(listeners)).build();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /**
     * Opens the backend, trying again while it cannot be reached for now, within the default wait
     * ({@code distlock.wait}, 10 s by default; once if it is 0): an application that starts on a
     * loaded host, or beside a server that is still starting, gets its backend rather than a failed
     * context, and one whose backend stays away fails within the wait it asked for.
     */
    private static LockBackend openWithin(Duration wait, DistlockProperties properties, List<BackendOpener> openers) {
        return OpenRetry.within(wait, System.nanoTime(), () -> open(properties, openers),
                failure -> LOG.warn("distlock: cannot reach the backend yet ({}); trying again within distlock.wait {}",
                        failure.getMessage(), Durations.format(wait)), () -> true);
    }

    private static LockBackend open(DistlockProperties properties, List<BackendOpener> openers) {
        for (BackendOpener opener : openers) {
            LockBackend backend = opener.open(properties);
            if (backend != null) {
                return backend;
            }
        }
        String uri = uri(properties);
        try {
            return LockBackends.open(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("distlock.uri: " + e.getMessage(), e);
        }
    }

    /** The URI with {@code distlock.namespace} passed through as its {@code namespace} parameter. */
    static String uri(DistlockProperties properties) {
        String uri = properties.getUri();
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("distlock.uri must not be empty; for example file: or redis://localhost:6379");
        }
        String namespace = properties.getNamespace();
        if (namespace == null || namespace.isEmpty()) {
            return uri.trim();
        }
        if (uri.matches("(?s).*[?&]namespace=.*")) {
            throw new IllegalArgumentException("distlock.namespace '" + namespace + "' and a namespace in distlock.uri '"
                    + Secrets.mask(uri) + "': set it in one place");
        }
        String encoded = URLEncoder.encode(namespace, StandardCharsets.UTF_8).replace("+", "%20");
        int hash = uri.indexOf('#');
        String base = hash < 0 ? uri.trim() : uri.substring(0, hash);
        String fragment = hash < 0 ? "" : uri.substring(hash);
        return base + (base.contains("?") ? "&" : "?") + "namespace=" + encoded + fragment;
    }

    /**
     * What the backend's locks exclude, said once at start-up: an application that forgot
     * {@code distlock.uri} on several hosts sees "this host" in its log rather than nothing.
     */
    static String scope(String description) {
        switch (scheme(description)) {
            case "memory":
                return "the threads of this JVM only";
            case "file":
                return "the processes of this host that use the same directory (and the same Unix user, "
                        + "unless it is a group directory), not other hosts";
            default:
                return "every process on every host that uses the same server and namespace";
        }
    }

    /** The metrics tag for the backend: its URI scheme, a fixed word (the URI itself may name hosts and paths). */
    static String scheme(String uri) {
        int colon = uri.indexOf(':');
        return colon <= 0 ? "unknown" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /**
     * A duration property in distlock's grammar, or in Spring Boot's habit of a bare number of
     * milliseconds ({@code distlock.lease=30000}); ISO-8601 ({@code PT30S}) is in both.
     */
    static Duration property(String name, String value, Function<String, Duration> parser) {
        try {
            if (value != null && value.trim().matches("-?\\d{1,18}")) {
                return parser.apply(value.trim() + "ms");
            }
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** Every listener bean, each call passed to all; one that throws is logged by the engine and does not stop the rest. */
    static final class Listeners {
        private Listeners() {
        }

        static LockListener of(List<LockListener> listeners) {
            if (listeners.isEmpty()) {
                return LockListener.NONE;
            }
            if (listeners.size() == 1) {
                return listeners.get(0);
            }
            List<LockListener> all = List.copyOf(listeners);
            return new LockListener() {
                @Override
                public void acquired(io.distlock.Lock lock, Duration waited) {
                    each(all, l -> l.acquired(lock, waited));
                }

                @Override
                public void busy(String name, Duration waited) {
                    each(all, l -> l.busy(name, waited));
                }

                @Override
                public void timedOut(String name, Duration waited) {
                    each(all, l -> l.timedOut(name, waited));
                }

                @Override
                public void conflicted(String name, Duration waited) {
                    each(all, l -> l.conflicted(name, waited));
                }

                @Override
                public void interrupted(String name, Duration waited) {
                    each(all, l -> l.interrupted(name, waited));
                }

                @Override
                public void acquireFailed(String name, Duration waited, RuntimeException failure) {
                    each(all, l -> l.acquireFailed(name, waited, failure));
                }

                @Override
                public void renewed(String name, long token, Duration lease) {
                    each(all, l -> l.renewed(name, token, lease));
                }

                @Override
                public void released(String name, long token, boolean wasHeld) {
                    each(all, l -> l.released(name, token, wasHeld));
                }

                @Override
                public void lost(String name, long token, Throwable cause) {
                    each(all, l -> l.lost(name, token, cause));
                }

                @Override
                public void suspended(String name, long token, Throwable cause) {
                    each(all, l -> l.suspended(name, token, cause));
                }

                @Override
                public void restored(String name, long token) {
                    each(all, l -> l.restored(name, token));
                }

                @Override
                public void backendFailed(String operation, String name, io.distlock.LockBackendException failure) {
                    each(all, l -> l.backendFailed(operation, name, failure));
                }
            };
        }

        private static void each(List<LockListener> all, java.util.function.Consumer<LockListener> call) {
            RuntimeException first = null;
            for (LockListener listener : all) {
                try {
                    call.accept(listener);
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
