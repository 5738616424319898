package io.distlock.faults;

import io.distlock.file.FileLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendUri;
import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;
import io.distlock.testkit.BrokenBackends;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The kit's deliberately broken backends (distlock-testkit's {@link BrokenBackends}, from its
 * test-jar) on the file backend, so they work across processes: each wraps the file backend and
 * breaks one method. Child JVMs open them as {@code broken-file:<directory>?bug=<bug>} (for example
 * {@code acquire-not-atomic}) through {@link Provider}, registered only in this module's test
 * resources. BrokenFileBackendsContractTest runs the contract kit on them; the fault runner uses
 * the first three.
 */
final class BrokenFileBackends {
    private BrokenFileBackends() {
    }

    /** Within one JVM, every release-checks-then-deletes backend waits on the same grants. */
    private static final Object GRANTS = new Object();

    enum Bug {
        /** Checks, then writes: two acquirers can both see the lock free and both take it. */
        ACQUIRE_NOT_ATOMIC,
        /** Deletes the lock on release whoever owns it now. */
        RELEASE_IGNORES_OWNER,
        /** Hands out the same token every time. */
        TOKENS_REPEAT,
        /** Renews whoever holds the name. */
        EXTEND_IGNORES_OWNER,
        /** Brings a lapsed lease back on extend. */
        EXTEND_REVIVES_LAPSED,
        /** Keeps half the lease it reports. */
        KEEPS_HALF_THE_LEASE,
        /** Release as a check, then a delete by name. */
        RELEASE_CHECKS_THEN_DELETES,
        /** Names cut to 200 bytes. */
        CUTS_NAMES,
        /** Hands over whoever holds the name. */
        HAND_OVER_IGNORES_OWNER,
        /** Never tells the engine of releases, so other managers' waiters are not woken. */
        DROPS_RELEASE_NOTIFICATIONS,
        /** Namespace joined to the name with a colon, in the file backend's default namespace. */
        JOINS_NAMESPACE,
        /** Not a lock bug, a client that dies: the process halts (exit 3) at its third acquisition. */
        CLIENT_DIES,
        /** Never recovers: each process gets two acquisitions, then the lock is busy for it forever. */
        WEDGES;

        /** The kit's three classic lock bugs, the ones the fault runner's checker must catch. */
        static final List<Bug> CLASSIC = List.of(ACQUIRE_NOT_ATOMIC, RELEASE_IGNORES_OWNER, TOKENS_REPEAT);

        String parameter() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** {@code file} behind this bug; {@code namespace} is the one the bug's backend serves. */
        LockBackend wrap(LockBackend file, String namespace) {
            return switch (this) {
                // The gap between the check and the write, wide enough for another process.
                case ACQUIRE_NOT_ATOMIC -> new BrokenBackends.AcquireNotAtomic(file, Duration.ofMillis(20));
                case RELEASE_IGNORES_OWNER -> new BrokenBackends.ReleaseIgnoresOwner(file);
                case TOKENS_REPEAT -> new BrokenBackends.TokensRepeat(file);
                case EXTEND_IGNORES_OWNER -> new BrokenBackends.ExtendIgnoresOwner(file);
                case EXTEND_REVIVES_LAPSED -> new BrokenBackends.ExtendRevivesLapsed(file);
                case KEEPS_HALF_THE_LEASE -> new BrokenBackends.KeepsHalfTheLease(file);
                case RELEASE_CHECKS_THEN_DELETES -> new BrokenBackends.ReleaseChecksThenDeletes(file, GRANTS);
                case CUTS_NAMES -> new BrokenBackends.CutsNames(file);
                case HAND_OVER_IGNORES_OWNER -> new BrokenBackends.HandOverIgnoresOwner(file);
                case DROPS_RELEASE_NOTIFICATIONS -> new BrokenBackends.DropsReleaseNotifications(file);
                case JOINS_NAMESPACE -> new BrokenBackends.JoinsNamespace(file, namespace);
                case CLIENT_DIES -> new Misbehaves(file, true);
                case WEDGES -> new Misbehaves(file, false);
            };
        }

        static Bug of(String parameter) {
            for (Bug candidate : values()) {
                if (candidate.parameter().equals(parameter)) {
                    return candidate;
                }
            }
            return null;
        }
    }

    /**
     * Counts this process's acquisitions and then misbehaves: halts at the third ({@code dies}: an
     * unexpected death of a client), or answers busy after the second (a backend that never recovers).
     */
    private static final class Misbehaves extends BrokenBackends.Faulty {
        private final boolean dies;
        private final AtomicInteger acquisitions = new AtomicInteger();

        Misbehaves(LockBackend file, boolean dies) {
            super(file);
            this.dies = dies;
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            if (!dies && acquisitions.get() >= 2) {
                return AcquireResult.busy();
            }
            AcquireResult result = store.tryAcquire(request);
            if (result.isAcquired() && acquisitions.incrementAndGet() == 3 && dies) {
                System.err.println("broken-file: this client dies on purpose");
                Runtime.getRuntime().halt(3);
            }
            return result;
        }
    }

    /** {@code bug} on the file backend in {@code directory}, serving {@code namespace}. */
    static LockBackend open(Bug bug, Path directory, String namespace) {
        // The namespace-joining bug keeps every namespace in the file backend's default one.
        FileLockBackend.Builder file = FileLockBackend.builder().directory(directory);
        if (bug != Bug.JOINS_NAMESPACE) {
            file.namespace(namespace);
        }
        return bug.wrap(file.build(), namespace);
    }

    /** Opens {@code broken-file:} URIs; on the class path of the tests only. */
    public static final class Provider implements LockBackendProvider {
        public Provider() {
        }

        @Override
        public Set<String> schemes() {
            return Set.of("broken-file");
        }

        @Override
        public LockBackend open(String uri) {
            BackendUri parsed = BackendUri.parse(uri, schemes()).requireOnly(Set.of("bug"));
            String bugName = parsed.string("bug", "");
            Bug bug = Bug.of(bugName);
            if (bug == null) {
                throw parsed.invalid("bug must be one of " + Arrays.stream(Bug.values()).map(Bug::parameter)
                        .collect(Collectors.joining(", ")) + " but was '" + bugName + "'");
            }
            if (parsed.opaquePart().isEmpty()) {
                throw parsed.invalid("no directory");
            }
            return BrokenFileBackends.open(bug, Path.of(parsed.opaquePart()), FileLockBackend.DEFAULT_NAMESPACE);
        }
    }

    /** An adapter for the fault runner: a file directory behind one bug. */
    static final class Adapter implements BackendAdapter {
        private final Bug bug;

        Adapter(Bug bug) {
            this.bug = bug;
        }

        @Override
        public String name() {
            return "broken-file (" + bug.parameter() + ")";
        }

        @Override
        public String clientUri(Path runDirectory, InetSocketAddress via) {
            return "broken-file:" + runDirectory.resolve("locks") + "?bug=" + bug.parameter();
        }

        @Override
        public void close() {
        }
    }
}
