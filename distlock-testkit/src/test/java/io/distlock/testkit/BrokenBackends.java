package io.distlock.testkit;

import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;

import java.util.Map;

/**
 * Backends with one classic bug each, and a contract suite per backend. BrokenBackendsTest runs
 * these suites and asserts that the kit catches every bug. The suite classes are not named
 * *Test, so the build does not run them as ordinary tests.
 */
final class BrokenBackends {
    private BrokenBackends() {
    }

    /** A correct store with one method overridden wrongly by each subclass. */
    abstract static class Faulty extends ForwardingLockBackend {
        final InMemoryLockBackend store;

        Faulty(InMemoryLockBackend store) {
            super(store);
            this.store = store;
        }

        /** Every acquisition goes through the faulty method under test, none around it. */
        @Override
        public boolean supportsHandOver() {
            return false;
        }

        @Override
        public String describe() {
            return "broken:" + getClass().getSimpleName();
        }

        @Override
        public void close() {
        }
    }

    /** Deletes the lock on release whoever owns it now. */
    static final class ReleaseIgnoresOwner extends Faulty {
        ReleaseIgnoresOwner(InMemoryLockBackend store) {
            super(store);
        }

        @Override
        public boolean release(String name, String ownerId) {
            return store.forceRelease(name);
        }
    }

    /** Checks, then writes: two acquirers can both see the lock free and both "take" it. */
    static final class AcquireNotAtomic extends Faulty {
        AcquireNotAtomic(InMemoryLockBackend store) {
            super(store);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            if (store.inspect(request.name()).isPresent()) {
                return AcquireResult.busy();
            }
            long until = System.nanoTime() + 200_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            store.forceRelease(request.name());
            return store.tryAcquire(request);
        }
    }

    /** Hands out the same token every time. */
    static final class TokensRepeat extends Faulty {
        TokensRepeat(InMemoryLockBackend store) {
            super(store);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            return store.tryAcquire(request).isAcquired() ? AcquireResult.acquired(7) : AcquireResult.busy();
        }
    }

    abstract static class SuiteOn extends LockContractSuite {
        private final InMemoryLockBackend store = InMemoryLockBackend.create();

        abstract LockBackend broken(InMemoryLockBackend store);

        @Override
        protected LockBackend newBackend() {
            return broken(store);
        }

        @Override
        protected Map<String, String> notApplicable() {
            return Map.of(MULTI_PROCESS, "in-memory", RELEASE_NOTIFICATION, "in-memory", NAMESPACE, "in-memory",
                    CONNECTION_DROP, "in-memory");
        }
    }

    static class ReleaseIgnoresOwnerSuite extends SuiteOn {
        @Override
        LockBackend broken(InMemoryLockBackend store) {
            return new ReleaseIgnoresOwner(store);
        }
    }

    static class AcquireNotAtomicSuite extends SuiteOn {
        @Override
        LockBackend broken(InMemoryLockBackend store) {
            return new AcquireNotAtomic(store);
        }
    }

    static class TokensRepeatSuite extends SuiteOn {
        @Override
        LockBackend broken(InMemoryLockBackend store) {
            return new TokensRepeat(store);
        }
    }
}
