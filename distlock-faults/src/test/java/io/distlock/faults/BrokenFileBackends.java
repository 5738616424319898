package io.distlock.faults;

import io.distlock.file.FileLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendUri;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The kit's deliberately broken backends (distlock-testkit's BrokenBackends), made to work across
 * processes: each wraps the file backend and breaks one method. Child JVMs open them as
 * {@code broken-file:<directory>?bug=acquire-not-atomic|release-ignores-owner|tokens-repeat}
 * through {@link Provider}, registered only in this module's test resources.
 */
final class BrokenFileBackends {
    private BrokenFileBackends() {
    }

    enum Bug {
        /** Checks, then writes: two acquirers can both see the lock free and both take it. */
        ACQUIRE_NOT_ATOMIC,
        /** Deletes the lock on release whoever owns it now. */
        RELEASE_IGNORES_OWNER,
        /** Hands out the same token every time. */
        TOKENS_REPEAT,
        /** Not a lock bug, a client that dies: the process halts (exit 3) at its third acquisition. */
        CLIENT_DIES,
        /** Never recovers: each process gets two acquisitions, then the lock is busy for it forever. */
        WEDGES;

        /** The kit's three classic lock bugs, the ones the checker must catch. */
        static final java.util.List<Bug> CLASSIC = java.util.List.of(ACQUIRE_NOT_ATOMIC, RELEASE_IGNORES_OWNER, TOKENS_REPEAT);

        String parameter() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    static final class Broken extends ForwardingLockBackend {
        private final Bug bug;
        private final java.util.concurrent.atomic.AtomicInteger acquisitions = new java.util.concurrent.atomic.AtomicInteger();

        Broken(LockBackend file, Bug bug) {
            super(file);
            this.bug = bug;
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            switch (bug) {
                case ACQUIRE_NOT_ATOMIC -> {
                    if (delegate.inspect(request.name()).isPresent()) {
                        return AcquireResult.busy();
                    }
                    // The gap between the check and the write, wide enough for another process.
                    LockSupport.parkNanos(20_000_000L);
                    delegate.forceRelease(request.name());
                    return delegate.tryAcquire(request);
                }
                case TOKENS_REPEAT -> {
                    return delegate.tryAcquire(request).isAcquired() ? AcquireResult.acquired(7) : AcquireResult.busy();
                }
                case CLIENT_DIES -> {
                    AcquireResult result = delegate.tryAcquire(request);
                    if (result.isAcquired() && acquisitions.incrementAndGet() == 3) {
                        System.err.println("broken-file: this client dies on purpose");
                        Runtime.getRuntime().halt(3);
                    }
                    return result;
                }
                case WEDGES -> {
                    if (acquisitions.get() >= 2) {
                        return AcquireResult.busy();
                    }
                    AcquireResult result = delegate.tryAcquire(request);
                    if (result.isAcquired()) {
                        acquisitions.incrementAndGet();
                    }
                    return result;
                }
                default -> {
                    return delegate.tryAcquire(request);
                }
            }
        }

        @Override
        public boolean release(String name, String ownerId) {
            return bug == Bug.RELEASE_IGNORES_OWNER ? delegate.forceRelease(name) : delegate.release(name, ownerId);
        }

        /** Every acquisition goes through the broken method, none around it. */
        @Override
        public boolean supportsHandOver() {
            return false;
        }

        @Override
        public String describe() {
            return "broken-file(" + bug.parameter() + "): " + delegate.describe();
        }
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
            Bug bug = null;
            for (Bug candidate : Bug.values()) {
                if (candidate.parameter().equals(bugName)) {
                    bug = candidate;
                }
            }
            if (bug == null) {
                throw parsed.invalid("bug must be one of " + java.util.Arrays.stream(Bug.values()).map(Bug::parameter)
                        .collect(java.util.stream.Collectors.joining(", ")) + " but was '" + bugName + "'");
            }
            if (parsed.opaquePart().isEmpty()) {
                throw parsed.invalid("no directory");
            }
            return new Broken(FileLockBackend.builder().directory(Path.of(parsed.opaquePart())).build(), bug);
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
