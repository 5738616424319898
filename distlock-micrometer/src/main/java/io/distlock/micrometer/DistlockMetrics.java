package io.distlock.micrometer;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Records one lock manager's locks as Micrometer meters. Give it to the manager as its listener:
 *
 * <pre>{@code
 * DistlockMetrics metrics = DistlockMetrics.builder(registry).backend("redis").build();
 * LockManager locks = LockManager.builder(backend).listener(metrics).build();
 * }</pre>
 *
 * <p>Meters (every one tagged {@code backend}, and {@code lock} when {@link Builder#lockNameTag} is set):
 * <ul>
 *   <li>{@value #ACQUIRE} (timer), tag {@code result}: one sample per {@code acquire} or
 *       {@code tryAcquire} call that asks the backend, timed from the call to its outcome:
 *       {@code acquired}, {@code busy} (found held by a call that does not wait: {@code tryAcquire},
 *       a zero wait, conflict mode), {@code timed_out} (a wait that ran out), {@code interrupted},
 *       {@code failed} (the backend failed, or the manager was closed meanwhile).</li>
 *   <li>{@value #HELD} (long-task timer): locks held now, and for how long.</li>
 *   <li>{@value #RENEWALS}, {@value #SUSPENSIONS}, {@value #RESTORATIONS}, {@value #LOSSES} (counters).</li>
 *   <li>{@value #BACKEND_FAILURES} (counter), tag {@code operation}: every backend failure the
 *       manager reports (acquire, extend, verify, inspect, list, ...).</li>
 * </ul>
 */
public final class DistlockMetrics implements LockListener {
    public static final String ACQUIRE = "distlock.acquire";
    public static final String HELD = "distlock.held";
    public static final String RENEWALS = "distlock.renewals";
    public static final String SUSPENSIONS = "distlock.suspensions";
    public static final String RESTORATIONS = "distlock.restorations";
    public static final String LOSSES = "distlock.losses";
    public static final String BACKEND_FAILURES = "distlock.backend.failures";
    private static final String RENEWALS_TEXT = "Leases the backend extended (auto-renewal and extend)";
    private static final String LOSSES_TEXT = "Locks lost (lease ran out, taken over or force-released)";
    private static final String SUSPENSIONS_TEXT = "Held locks the backend could not confirm for a while";
    private static final String RESTORATIONS_TEXT = "Suspended locks the backend confirmed again";

    private final MeterRegistry registry;
    private final Tags common;
    private final @Nullable Function<String, String> lockTag;
    /** Open long-task samples by acquisition; reentrant holds of one acquisition share one sample. */
    private final ConcurrentHashMap<Acquisition, LongTaskTimer.Sample> held = new ConcurrentHashMap<>();

    private DistlockMetrics(Builder builder) {
        this.registry = builder.registry;
        this.common = Tags.of("backend", builder.backend);
        this.lockTag = builder.lockTag;
        if (lockTag == null) {
            registerAtZero();
        }
    }

    /**
     * Every meter whose tags are known in advance, registered now: a dashboard or an alert on
     * losses shows 0 from the start rather than no series until the first loss. (With a lock-name
     * tag the tag values are not known until the locks are used.)
     */
    private void registerAtZero() {
        for (String result : List.of("acquired", "busy", "timed_out", "interrupted", "failed")) {
            acquireTimer(null, result);
        }
        counter(RENEWALS, RENEWALS_TEXT, null);
        counter(LOSSES, LOSSES_TEXT, null);
        counter(SUSPENSIONS, SUSPENSIONS_TEXT, null);
        counter(RESTORATIONS, RESTORATIONS_TEXT, null);
    }

    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /**
     * A {@link Builder#lockNameTag} mapping that keeps the part of a name before the first
     * {@code separator} ({@code "account:42"} becomes {@code "account"}), so the tag has as many
     * values as the application has kinds of lock, not as many as it has accounts.
     */
    public static Function<String, String> prefixBefore(char separator) {
        return name -> {
            int at = name.indexOf(separator);
            return at < 0 ? name : name.substring(0, at);
        };
    }

    @Override
    public void acquired(Lock lock, Duration waited) {
        acquireTimer(lock.name(), "acquired").record(waited);
        Acquisition key = new Acquisition(lock.name(), lock.token());
        // One sample per acquisition (name, token); the engine does not report re-entering a held lock.
        held.computeIfAbsent(key, k -> LongTaskTimer.builder(HELD).description("Locks held now")
                .tags(tags(k.name)).register(registry).start());
    }

    @Override
    public void busy(String name, Duration waited) {
        acquireTimer(name, "busy").record(waited);
    }

    @Override
    public void conflicted(String name, Duration waited) {
        acquireTimer(name, "busy").record(waited);
    }

    @Override
    public void timedOut(String name, Duration waited) {
        acquireTimer(name, "timed_out").record(waited);
    }

    @Override
    public void interrupted(String name, Duration waited) {
        acquireTimer(name, "interrupted").record(waited);
    }

    @Override
    public void acquireFailed(String name, Duration waited, RuntimeException failure) {
        acquireTimer(name, "failed").record(waited);
    }

    @Override
    public void renewed(String name, long token, Duration lease) {
        counter(RENEWALS, RENEWALS_TEXT, name).increment();
    }

    @Override
    public void released(String name, long token, boolean wasHeld) {
        stopHeld(name, token);
    }

    @Override
    public void lost(String name, long token, Throwable cause) {
        stopHeld(name, token);
        counter(LOSSES, LOSSES_TEXT, name).increment();
    }

    @Override
    public void suspended(String name, long token, Throwable cause) {
        counter(SUSPENSIONS, SUSPENSIONS_TEXT, name).increment();
    }

    @Override
    public void restored(String name, long token) {
        counter(RESTORATIONS, RESTORATIONS_TEXT, name).increment();
    }

    @Override
    public void backendFailed(String operation, String name, LockBackendException failure) {
        Counter.builder(BACKEND_FAILURES).description("Backend operations that failed")
                .tags(common).tag("operation", operation).register(registry).increment();
    }

    private void stopHeld(String name, long token) {
        LongTaskTimer.Sample sample = held.remove(new Acquisition(name, token));
        if (sample != null) {
            sample.stop();
        }
    }

    private Timer acquireTimer(@Nullable String name, String result) {
        return Timer.builder(ACQUIRE).description("Lock acquisitions, by result")
                .tags(tags(name)).tag("result", result).register(registry);
    }

    private Counter counter(String meter, String description, @Nullable String name) {
        return Counter.builder(meter).description(description).tags(tags(name)).register(registry);
    }

    private Tags tags(@Nullable String name) {
        if (lockTag == null) {
            return common;
        }
        String value;
        try {
            value = lockTag.apply(name);
        } catch (RuntimeException e) {
            value = null;
        }
        return common.and(Tag.of("lock", value == null || value.isEmpty() ? "other" : value));
    }

    private record Acquisition(String name, long token) {
    }

    /** Settings for {@link DistlockMetrics}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private String backend = "unknown";
        private @Nullable Function<String, String> lockTag;

        private Builder(MeterRegistry registry) {
            if (registry == null) {
                throw new IllegalArgumentException("registry must not be null");
            }
            this.registry = registry;
        }

        /**
         * The {@code backend} tag's value: a short, fixed word such as the URI scheme ({@code file},
         * {@code redis}), never the URI itself (it may hold a path or a host per instance).
         */
        public Builder backend(String backend) {
            if (backend == null || backend.isBlank()) {
                throw new IllegalArgumentException("backend tag must not be empty but was '" + backend + "'");
            }
            this.backend = backend;
            return this;
        }

        /**
         * Opt-in: tag meters with {@code lock}, the value {@code mapping} gives for the lock's name.
         * Lock names are unbounded ({@code account:42}, {@code account:43}, ...), and every distinct
         * tag value is a new time series, so the mapping must have few values, for example
         * {@link #prefixBefore(char) prefixBefore(':')}. A mapping that returns null or empty, or
         * throws, gives {@code other}.
         */
        public Builder lockNameTag(Function<String, String> mapping) {
            if (mapping == null) {
                throw new IllegalArgumentException("lockNameTag mapping must not be null");
            }
            this.lockTag = mapping;
            return this;
        }

        public DistlockMetrics build() {
            return new DistlockMetrics(this);
        }
    }
}
