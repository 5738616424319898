package io.distlock.testkit;

import io.distlock.LockInfo;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.HandOverResult;
import io.distlock.spi.LockBackend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Backends with one realistic bug each, and a contract suite per backend. Every bug is a small
 * wrapper, through the published SPI only, of a correct store: the in-memory backend here, the file
 * backend in distlock-faults (whose suites face the multi-process, wake-up and namespace rules too).
 * BrokenBackendsTest runs these suites and asserts that the kit catches every bug, by the rule it
 * breaks and for the reason it breaks it. The suite classes are not named *Test, so the build does
 * not run them as ordinary tests.
 */
public final class BrokenBackends {
    private BrokenBackends() {
    }

    /** A correct store with one method overridden wrongly by each subclass. */
    public abstract static class Faulty extends ForwardingLockBackend {
        /** The correct backend under the bug. */
        protected final LockBackend store;

        protected Faulty(LockBackend store) {
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
            return "broken:" + getClass().getSimpleName() + " on " + store.describe();
        }
    }

    /** Deletes the lock on release whoever owns it now. */
    public static final class ReleaseIgnoresOwner extends Faulty {
        public ReleaseIgnoresOwner(LockBackend store) {
            super(store);
        }

        @Override
        public boolean release(String name, String ownerId) {
            return store.forceRelease(name);
        }
    }

    /** Checks, then writes: two acquirers can both see the lock free and both "take" it. */
    public static final class AcquireNotAtomic extends Faulty {
        private final Duration gap;

        /** {@code gap}: the time between the check and the write, wide enough for the acquirers to meet in. */
        public AcquireNotAtomic(LockBackend store, Duration gap) {
            super(store);
            this.gap = gap;
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            if (store.inspect(request.name()).isPresent()) {
                return AcquireResult.busy();
            }
            if (gap.toMillis() >= 1) {
                LockSupport.parkNanos(gap.toNanos());
            } else {
                long until = System.nanoTime() + gap.toNanos();
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            store.forceRelease(request.name());
            return store.tryAcquire(request);
        }
    }

    /** Hands out the same token every time, and says so when inspected (so only the tokens are wrong). */
    public static final class TokensRepeat extends Faulty {
        public TokensRepeat(LockBackend store) {
            super(store);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            return store.tryAcquire(request).isAcquired() ? AcquireResult.acquired(7) : AcquireResult.busy();
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return store.inspect(name).map(info -> withToken(info, 7));
        }
    }

    /**
     * Renews whoever holds the name: a holder paused past its lease wakes, and its renewal extends
     * the lock another owner took meanwhile (and reports success).
     */
    public static final class ExtendIgnoresOwner extends Faulty {
        public ExtendIgnoresOwner(LockBackend store) {
            super(store);
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            return store.inspect(name).map(holder -> store.extend(name, holder.ownerId(), lease)).orElse(false);
        }
    }

    /**
     * Writes the holder's record again on extend when the lease has lapsed and nobody took the
     * name (a {@code SET} without its condition): a lease that ran out comes back to life.
     */
    public static final class ExtendRevivesLapsed extends Faulty {
        private final Map<String, AcquireRequest> granted = new ConcurrentHashMap<>();

        public ExtendRevivesLapsed(LockBackend store) {
            super(store);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            AcquireResult result = store.tryAcquire(request);
            if (result.isAcquired()) {
                granted.put(request.ownerId(), request);
            }
            return result;
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            if (store.extend(name, ownerId, lease)) {
                return true;
            }
            AcquireRequest original = granted.get(ownerId);
            return original != null && store.inspect(name).isEmpty()
                    && store.tryAcquire(withLease(original, lease)).isAcquired();
        }
    }

    /** Keeps half the lease it was asked for, and reports the whole lease when inspected. */
    public static final class KeepsHalfTheLease extends Faulty {
        public KeepsHalfTheLease(LockBackend store) {
            super(store);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            return store.tryAcquire(withLease(request, request.lease().dividedBy(2)));
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            return store.extend(name, ownerId, lease.dividedBy(2));
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return store.inspect(name).map(info -> new LockInfo(info.name(), info.ownerId(), info.host(), info.pid(),
                    info.thread(), info.acquiredAt(),
                    info.expiresAt().plus(Duration.between(info.acquiredAt(), info.expiresAt())), info.token()));
        }
    }

    /**
     * Release as a check, then a delete by name. The gate makes the race happen on purpose, without
     * sleeping: a release that finds its lease about to end waits, between its check and its
     * delete, until another owner has taken the name (or a while after the lease, when nobody does).
     */
    public static final class ReleaseChecksThenDeletes extends Faulty {
        private final Object grants;

        /** {@code grants}: a monitor every backend on the same store shares, notified at each grant. */
        public ReleaseChecksThenDeletes(LockBackend store, Object grants) {
            super(store);
            this.grants = grants;
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            AcquireResult result = store.tryAcquire(request);
            if (result.isAcquired()) {
                synchronized (grants) {
                    grants.notifyAll();
                }
            }
            return result;
        }

        @Override
        public boolean release(String name, String ownerId) {
            Optional<LockInfo> checked = store.inspect(name);
            if (checked.isEmpty() || !checked.get().ownerId().equals(ownerId)) {
                return false;
            }
            Instant ends = checked.get().expiresAt();
            if (Duration.between(Instant.now(), ends).compareTo(Duration.ofSeconds(2)) < 0) {
                awaitAnotherOwner(name, ownerId, ends.plusSeconds(2));
            }
            store.forceRelease(name);
            return true;
        }

        private void awaitAnotherOwner(String name, String ownerId, Instant deadline) {
            synchronized (grants) {
                while (store.inspect(name).map(LockInfo::ownerId).filter(ownerId::equals).isPresent()
                        || store.inspect(name).isEmpty()) {
                    long left = Duration.between(Instant.now(), deadline).toMillis();
                    if (left <= 0) {
                        return;
                    }
                    try {
                        grants.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** A correct store under a wrong mapping of names to its keys, which inspect hides. */
    public abstract static class MapsNames extends Faulty {
        protected MapsNames(LockBackend store) {
            super(store);
        }

        /** The store's key for {@code name}. */
        abstract String key(String name);

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            return store.tryAcquire(withName(request, key(request.name())));
        }

        @Override
        public boolean release(String name, String ownerId) {
            return store.release(key(name), ownerId);
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            return store.extend(key(name), ownerId, lease);
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return store.inspect(key(name)).map(info -> withName(info, name));
        }

        @Override
        public boolean forceRelease(String name) {
            return store.forceRelease(key(name));
        }
    }

    /**
     * Maps a name to its first 200 UTF-8 bytes (a key length limit met by cutting), while inspect
     * still reports the full name it was asked about.
     */
    public static final class CutsNames extends MapsNames {
        public CutsNames(LockBackend store) {
            super(store);
        }

        @Override
        String key(String name) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            return bytes.length <= 200 ? name : new String(bytes, 0, 200, StandardCharsets.UTF_8);
        }
    }

    /** Namespaces as a plain prefix joined with a colon: namespace {@code app} + {@code lock:x} is {@code app:lock} + {@code x}. */
    public static final class JoinsNamespace extends MapsNames {
        private final String namespace;

        public JoinsNamespace(LockBackend store, String namespace) {
            super(store);
            this.namespace = namespace;
        }

        @Override
        String key(String name) {
            return namespace + ":" + name;
        }

        @Override
        public List<LockInfo> list(String prefix) {
            return store.list(key(prefix)).stream()
                    .map(info -> withName(info, info.name().substring(namespace.length() + 1)))
                    .collect(Collectors.toList());
        }
    }

    /** Hands the lock over to the next local waiter whoever holds it now. */
    public static final class HandOverIgnoresOwner extends Faulty {
        public HandOverIgnoresOwner(LockBackend store) {
            super(store);
        }

        @Override
        public boolean supportsHandOver() {
            return true;
        }

        @Override
        public HandOverResult handOver(String ownerId, AcquireRequest next) {
            store.forceRelease(next.name());
            AcquireResult taken = store.tryAcquire(next);
            return taken.isAcquired() ? HandOverResult.handedOver(taken.token()) : HandOverResult.notOwned();
        }
    }

    /**
     * Draws tokens from a counter the server keeps in memory only (a Redis without persistence):
     * after {@link #restart} they start again from 1, while the locks themselves are kept.
     */
    public static final class VolatileTokens extends Faulty {
        private final Counter counter;

        public VolatileTokens(LockBackend store, Counter counter) {
            super(store);
            this.counter = counter;
        }

        /** The server's token counter, shared by every backend on the store. */
        public static final class Counter {
            private final AtomicLong next = new AtomicLong();
            private final Map<Long, Long> issued = new ConcurrentHashMap<>();

            /** The server restarts: its counter starts again, its locks stay. */
            public void restart() {
                next.set(0);
            }
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            AcquireResult result = store.tryAcquire(request);
            if (!result.isAcquired()) {
                return result.holder().map(holder -> AcquireResult.busy(translated(holder))).orElse(result);
            }
            long token = counter.next.incrementAndGet();
            counter.issued.put(result.token(), token);
            return AcquireResult.acquired(token);
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return store.inspect(name).map(this::translated);
        }

        @Override
        public List<LockInfo> list(String prefix) {
            return store.list(prefix).stream().map(this::translated).collect(Collectors.toList());
        }

        private LockInfo translated(LockInfo info) {
            return withToken(info, counter.issued.getOrDefault(info.token(), info.token()));
        }
    }

    /**
     * Drops the backend's notifications of releases: waiters of other managers are never woken and
     * wait for their next poll.
     */
    public static final class DropsReleaseNotifications extends Faulty {
        public DropsReleaseNotifications(LockBackend store) {
            super(store);
        }

        @Override
        public void start(BackendEvents events) {
            store.start(new BackendEvents() {
                @Override
                public void released(String name) {
                    // Lost on the way.
                }

                @Override
                public void released(Collection<String> names) {
                    // Lost on the way.
                }

                @Override
                public void connectionLost(Throwable cause) {
                    events.connectionLost(cause);
                }

                @Override
                public void connectionRestored() {
                    events.connectionRestored();
                }

                @Override
                public void lost(String name, String ownerId, Throwable cause) {
                    events.lost(name, ownerId, cause);
                }
            });
        }
    }

    /**
     * A connection to a store in this JVM that the suite can drop, as a server drops its clients:
     * the backend tells the engine the connection was lost, then that it is back, and its locks are
     * still on the store (rule 6.4's restored side).
     */
    public static class DroppableConnection extends Faulty {
        private final Set<DroppableConnection> open;
        /** Each name this backend granted, with its owner id. */
        final Map<String, String> granted = new ConcurrentHashMap<>();
        volatile BackendEvents events;

        /** {@code open}: the connections of every backend on the store, for {@link #drop()}. */
        public DroppableConnection(LockBackend store, Set<DroppableConnection> open) {
            super(store);
            this.open = open;
        }

        @Override
        public void start(BackendEvents events) {
            this.events = events;
            open.add(this);
            store.start(events);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            AcquireResult result = store.tryAcquire(request);
            if (result.isAcquired()) {
                granted.put(request.name(), request.ownerId());
            }
            return result;
        }

        /** The server drops this connection; the client notices and connects again. */
        public void drop() {
            IllegalStateException reset = new IllegalStateException("connection reset by the server (simulated)");
            events.connectionLost(reset);
            reconnected(reset);
        }

        void reconnected(Throwable cause) {
            events.connectionRestored();
        }

        @Override
        public void close() {
            open.remove(this);
            super.close();
        }
    }

    /** Reports every lock it granted as lost when its connection drops, though the store still holds them. */
    public static final class ReportsDropAsLoss extends DroppableConnection {
        public ReportsDropAsLoss(LockBackend store, Set<DroppableConnection> open) {
            super(store, open);
        }

        @Override
        void reconnected(Throwable cause) {
            granted.forEach((name, owner) -> events.lost(name, owner, cause));
            events.connectionRestored();
        }
    }

    static LockInfo withName(LockInfo info, String name) {
        return new LockInfo(name, info.ownerId(), info.host(), info.pid(), info.thread(), info.acquiredAt(),
                info.expiresAt(), info.token());
    }

    static LockInfo withToken(LockInfo info, long token) {
        return new LockInfo(info.name(), info.ownerId(), info.host(), info.pid(), info.thread(), info.acquiredAt(),
                info.expiresAt(), token);
    }

    static AcquireRequest withLease(AcquireRequest request, Duration lease) {
        return new AcquireRequest(request.name(), request.ownerId(), lease, request.host(), request.pid(),
                request.thread(), request.acquiredAt(), request.waits(), request.retryInterval());
    }

    static AcquireRequest withName(AcquireRequest request, String name) {
        return new AcquireRequest(name, request.ownerId(), request.lease(), request.host(), request.pid(),
                request.thread(), request.acquiredAt(), request.waits(), request.retryInterval());
    }

    /** A contract suite on one in-memory store behind one bug. */
    abstract static class SuiteOn extends LockContractSuite {
        final InMemoryLockBackend store = InMemoryLockBackend.create();

        abstract LockBackend broken(LockBackend store);

        @Override
        protected LockBackend newBackend() {
            return broken(new SharedStore(store));
        }

        @Override
        protected Map<ContractRule, String> notApplicable() {
            return Map.of(MULTI_PROCESS, "in-memory", RELEASE_NOTIFICATION, "in-memory", NAMESPACE, "in-memory",
                    CONNECTION_DROP, "in-memory", DROP_NOTICED, "in-memory", RESTART, "in-memory");
        }

        @Override
        protected Set<ContractRule> pinnedNotApplicable() {
            return notApplicable().keySet();
        }
    }

    static class ReleaseIgnoresOwnerSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new ReleaseIgnoresOwner(store);
        }
    }

    static class AcquireNotAtomicSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new AcquireNotAtomic(store, Duration.ofNanos(200_000));
        }
    }

    static class TokensRepeatSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new TokensRepeat(store);
        }
    }

    static class ExtendIgnoresOwnerSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new ExtendIgnoresOwner(store);
        }
    }

    static class ExtendRevivesLapsedSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new ExtendRevivesLapsed(store);
        }
    }

    static class KeepsHalfTheLeaseSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new KeepsHalfTheLease(store);
        }
    }

    static class ReleaseChecksThenDeletesSuite extends SuiteOn {
        private final Object grants = new Object();

        @Override
        LockBackend broken(LockBackend store) {
            return new ReleaseChecksThenDeletes(store, grants);
        }
    }

    static class CutsNamesSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new CutsNames(store);
        }
    }

    static class HandOverIgnoresOwnerSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new HandOverIgnoresOwner(store);
        }
    }

    /** Namespaces applicable here: the bug is in how they are made. */
    static class JoinsNamespaceSuite extends SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new JoinsNamespace(store, "distlock");
        }

        @Override
        protected LockBackend newBackend(String namespace) {
            return new JoinsNamespace(new SharedStore(store), namespace);
        }

        @Override
        protected Map<ContractRule, String> notApplicable() {
            Map<ContractRule, String> rules = new java.util.HashMap<>(super.notApplicable());
            rules.remove(NAMESPACE);
            return rules;
        }
    }

    /** Restart applicable here: the "server" restarts its token counter and keeps its locks. */
    static class VolatileTokensSuite extends SuiteOn {
        private final VolatileTokens.Counter counter = new VolatileTokens.Counter();

        @Override
        LockBackend broken(LockBackend store) {
            return new VolatileTokens(store, counter);
        }

        @Override
        protected void restartServer() {
            counter.restart();
        }

        @Override
        protected Map<ContractRule, String> notApplicable() {
            Map<ContractRule, String> rules = new java.util.HashMap<>(super.notApplicable());
            rules.remove(RESTART);
            return rules;
        }
    }

    /** A connection to drop: rule 6.4 applies here. */
    static class DroppableConnectionSuite extends SuiteOn {
        final Set<DroppableConnection> open = ConcurrentHashMap.newKeySet();

        @Override
        LockBackend broken(LockBackend store) {
            return new DroppableConnection(store, open);
        }

        @Override
        protected int dropConnections() {
            List<DroppableConnection> dropped = List.copyOf(open);
            dropped.forEach(DroppableConnection::drop);
            return dropped.size();
        }

        @Override
        protected Map<ContractRule, String> notApplicable() {
            Map<ContractRule, String> rules = new java.util.HashMap<>(super.notApplicable());
            rules.remove(CONNECTION_DROP);
            rules.remove(DROP_NOTICED);
            return rules;
        }
    }

    static class ReportsDropAsLossSuite extends DroppableConnectionSuite {
        @Override
        LockBackend broken(LockBackend store) {
            return new ReportsDropAsLoss(store, open);
        }
    }
}
