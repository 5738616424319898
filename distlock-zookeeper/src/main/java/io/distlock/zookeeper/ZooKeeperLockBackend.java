package io.distlock.zookeeper;

import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.Durations;
import io.distlock.spi.HolderRecord;
import io.distlock.spi.LockBackend;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Locks on a ZooKeeper ensemble, through Apache Curator's client.
 *
 * <pre>{@code
 * LockManager locks = LockManager.builder(ZooKeeperLockBackend.open("zookeeper://zk1:2181,zk2:2181,zk3:2181/apps")).build();
 * }</pre>
 *
 * <p>One held lock is one ephemeral node, {@code <chroot>/<namespace>/locks/l-<escaped name>}
 * ({@link ZooKeeperKeys}), holding the holder's record ({@link LockRecord}), plus an ephemeral marker
 * {@code <chroot>/<namespace>/owners/o-<owner id>+<name>} created and deleted with it in the same
 * transaction. The marker is what makes release and extend exact: ZooKeeper can make a write
 * conditional on a node's data version, but a re-created node starts again at version 0, so only
 * a node whose very path names the acquisition says "still mine". Every operation is one
 * {@code multi} (one round trip): acquire creates both nodes; release deletes both, failing as a
 * whole when the marker is gone; extend checks the marker and rewrites the record. The fencing
 * token is the lock node's {@code czxid}: the zxid of the transaction that created it, which
 * increases strictly across the ensemble, its restarts and leader changes.
 *
 * <p>The lock lives with the session: an ephemeral node goes when its session ends, so a holder
 * that dies frees its locks after the session timeout. The lease is enforced as well, without
 * comparing clocks: a contender that sees the same node, unchanged (same {@code czxid} and
 * {@code mzxid}), for the holder's whole lease on its own monotonic clock, counted from when its
 * read returned, takes it over in one transaction that deletes exactly that version of the node
 * and its owner's marker. See the README for the full mapping, round trips and failure modes.
 *
 * <p>URI: {@code zookeeper://host1[:port][,host2[:port]...][/chroot][?parameters]}; port 2181 by
 * default. Parameters: {@code namespace} (default {@code distlock}), {@code sessionTimeout}
 * (default 30s; the server may narrow it to its min/max), {@code connectTimeout} (default 5s) and
 * {@code timeout} (each operation's, default 2s).
 *
 * <p>A lease longer than the session timeout the server granted is refused with an
 * {@code IllegalArgumentException} (at acquire and extend): the lock node goes with the session, so
 * no lease may outlast it (see the README).
 */
public final class ZooKeeperLockBackend implements LockBackend {
    private final ZooKeeperKeys keys;
    private final ZooKeeperConnection connection;
    private final LockTransactions transactions;
    private final HeldLocks held = new HeldLocks();
    private final Observations observations = new Observations();
    private final PendingUndos undos;
    private final LockReads reads;
    private final Watcher wakeUps = this::watched;
    /** Null until {@link #start}: a watch that fires before then has no one to wake. */
    private volatile @Nullable BackendEvents events;

    private ZooKeeperLockBackend(ZooKeeperSettings settings) {
        this.keys = new ZooKeeperKeys(settings.base());
        this.connection = new ZooKeeperConnection(settings, keys);
        this.transactions = new LockTransactions(keys);
        this.undos = new PendingUndos(connection, transactions);
        this.reads = new LockReads(connection, keys);
    }

    /** Connects to {@code uri}; see the class comment for the format. */
    public static ZooKeeperLockBackend open(String uri) {
        return builder(uri).build();
    }

    /** Settings from {@code uri}, which the builder's methods override. */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    @Override
    public void start(BackendEvents events) {
        this.events = events;
        connection.listen(new SessionEvents(events, held, observations, undos));
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        String name = request.name();
        ZooKeeper zk = connection.handle();
        connection.requireLeaseWithinSession(zk, request.lease(), name);
        long leaseMillis = Math.max(1, Durations.saturatedMillis(request.lease()));
        LockRecord record = LockRecord.of(request, leaseMillis);
        List<Op> create = transactions.create(name, request.ownerId(), record.encode());
        Deadline deadline = connection.deadline();
        // A name seen busy lately is read first: a read is answered by the server we talk to, while
        // a create that fails still goes through the leader and a quorum.
        boolean readFirst = observations.seenBusy(name);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (!readFirst) {
                Reply created = undos.awaitAcquire(zk, create, deadline, name, request.ownerId());
                if (created.rc() == Code.OK.intValue()) {
                    return acquired(zk, name, record, created, LockTransactions.CREATED_STAT);
                }
                if (created.rc() == Code.NONODE.intValue() && created.failedIndex() == 0) {
                    connection.ensureParents(); // someone removed the namespace's nodes
                    continue;
                }
                if (created.rc() != Code.NODEEXISTS.intValue() || created.failedIndex() != 0) {
                    throw connection.failure("acquire", name, created.rc());
                }
            }
            readFirst = false;
            // One watch per name per backend: ZooKeeper keeps one per path and session, whatever the
            // number of reads. None for a try-once, nor for a lock this backend holds itself (the
            // engine wakes its own waiters when it releases).
            Watcher watch = request.waits() && !held.contains(name) ? wakeUps : null;
            Reply read = connection.await(ZooKeeperConnection.getData(zk, keys.lockPath(name), watch), deadline,
                    "acquire", name);
            if (read.rc() == Code.NONODE.intValue()) {
                observations.forget(name);
                continue; // released meanwhile: try to create it
            }
            if (read.rc() != Code.OK.intValue()) {
                throw connection.failure("acquire", name, read.rc());
            }
            long receivedAt = System.nanoTime();
            Optional<LockRecord> holder = LockRecord.decode(read.data());
            Stat stat = read.okStat();
            if (observations.lapsed(name, stat, holder.orElse(null), receivedAt)) {
                List<Op> takeOver = transactions.takeOver(name, stat, holder.get().ownerId(), create);
                Reply taken = undos.awaitAcquire(zk, takeOver, deadline, name, request.ownerId());
                if (taken.rc() == Code.OK.intValue()) {
                    return acquired(zk, name, record, taken, LockTransactions.TAKEN_STAT);
                }
                // It changed between our read and the takeover (extended, released, taken): busy.
            }
            return AcquireResult.busy(holder.map(h -> h.info(name, stat.getCzxid())).orElse(null));
        }
        return AcquireResult.busy();
    }

    private AcquireResult acquired(ZooKeeper zk, String name, LockRecord record, Reply reply, int statIndex) {
        observations.forget(name);
        held.acquired(name, record, zk.getSessionId());
        return AcquireResult.acquired(reply.stat(statIndex).getCzxid());
    }

    @Override
    public boolean release(String name, String ownerId) {
        Reply reply = undos.awaitRelease(name, ownerId);
        held.forget(name, ownerId);
        if (reply.rc() == Code.OK.intValue()) {
            return true;
        }
        if (reply.rc() == Code.NONODE.intValue()) {
            return false; // our marker is gone: expired session, takeover or forceRelease
        }
        throw connection.failure("release", name, reply.rc());
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        connection.requireLeaseWithinSession(connection.handle(), lease, name);
        long leaseMillis = Math.max(1, Durations.saturatedMillis(lease));
        LockRecord record = held.record(name, ownerId);
        if (record != null) {
            // A lease that has run out is never revived (contract 3.4), though its node stays until a
            // contender takes it over: the end was written by this holder's own clock, so this
            // compares that clock with itself.
            if (record.holder().expiredAt(Instant.ofEpochMilli(System.currentTimeMillis()))) {
                return false;
            }
        } else {
            Optional<LockInfo> current = reads.holder(name, connection.deadline());
            if (current.isEmpty() || !current.get().ownerId().equals(ownerId) || !LockReads.leaseRunning(current.get())) {
                return false;
            }
            LockInfo info = current.get();
            record = new LockRecord(new HolderRecord(ownerId, info.host(), info.pid(), info.thread(), info.acquiredAt(),
                    Instant.EPOCH), leaseMillis);
        }
        LockRecord next = record.extended(leaseMillis, System.currentTimeMillis());
        Reply reply = connection.await(ZooKeeperConnection.multi(connection.handle(),
                transactions.extend(name, ownerId, next.encode())), connection.deadline(), "extend", name);
        if (reply.rc() == Code.OK.intValue()) {
            held.extended(name, next);
            return true;
        }
        if (reply.rc() == Code.NONODE.intValue()) {
            held.forget(name, ownerId);
            return false;
        }
        throw connection.failure("extend", name, reply.rc());
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return reads.holder(name, connection.deadline()).filter(LockReads::leaseRunning);
    }

    @Override
    public ListPage list(String prefix, int limit) {
        return reads.list(prefix, limit);
    }

    @Override
    public boolean forceRelease(String name) {
        Deadline deadline = connection.deadline();
        ZooKeeper zk = connection.handle();
        boolean withMarker = true;
        for (int attempt = 0; attempt < 10; attempt++) {
            Reply read = connection.await(connection.freshData(zk, keys.lockPath(name)), deadline, "forceRelease", name);
            if (read.rc() == Code.NONODE.intValue()) {
                return false;
            }
            if (read.rc() != Code.OK.intValue()) {
                throw connection.failure("forceRelease", name, read.rc());
            }
            Optional<LockRecord> holder = LockRecord.decode(read.data());
            @Nullable String markerOwner = withMarker ? holder.map(LockRecord::ownerId).orElse(null) : null;
            Reply deleted = connection.await(ZooKeeperConnection.multi(zk,
                    transactions.forceRelease(name, read.okStat().getVersion(), markerOwner)), deadline, "forceRelease", name);
            if (deleted.rc() == Code.OK.intValue()) {
                observations.forget(name);
                holder.ifPresent(h -> held.forget(name, h.ownerId()));
                return true;
            }
            if (deleted.rc() == Code.NONODE.intValue() && deleted.failedIndex() == LockTransactions.MARKER_DELETE) {
                withMarker = false; // a lock node without its marker: not ours to keep consistent
            } else if (deleted.rc() != Code.BADVERSION.intValue() && deleted.rc() != Code.NONODE.intValue()) {
                throw connection.failure("forceRelease", name, deleted.rc());
            }
            // Extended, released or taken between the read and the delete: look again.
        }
        throw new LockBackendException("forceRelease of lock '" + name + "' on " + describe()
                + " gave up: the lock changed under every one of 10 attempts");
    }

    @Override
    public String describe() {
        return connection.describe();
    }

    /**
     * Closes the session. ZooKeeper then deletes its ephemeral nodes at once: unlike a lease-only
     * backend, locks still held through this backend are freed by closing it.
     */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "ZooKeeperLockBackend{" + describe() + "}";
    }

    /** A watched lock node was deleted: wake this manager's waiters for that name. */
    private void watched(WatchedEvent event) {
        String path = event.getPath();
        BackendEvents listening = events;
        if (path == null || listening == null || event.getType() != Watcher.Event.EventType.NodeDeleted) {
            return; // a data change is an extension: the next busy try reads again and re-arms
        }
        keys.lockNameOfPath(path).ifPresent(name -> {
            observations.forget(name);
            listening.released(name);
        });
    }

    /** Overrides for the URI's parameters. */
    public static final class Builder {
        private final String uri;
        private final ZooKeeperSettings.Overrides overrides = new ZooKeeperSettings.Overrides();

        private Builder(String uri) {
            this.uri = uri;
        }

        /** The node under the chroot that holds this manager's locks (default {@code distlock}). */
        public Builder namespace(String namespace) {
            if (namespace == null) {
                throw new IllegalArgumentException("namespace must not be null");
            }
            overrides.options.namespace(namespace);
            return this;
        }

        /** The ZooKeeper session timeout asked for; the server may narrow it to its minimum and maximum. */
        public Builder sessionTimeout(Duration timeout) {
            overrides.sessionTimeout = Durations.requirePositive("sessionTimeout", timeout);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            overrides.options.connectTimeout(timeout);
            return this;
        }

        /** How long any one operation may take before it fails with {@code LockBackendException} (default 2 s). */
        public Builder timeout(Duration timeout) {
            overrides.options.timeout(timeout);
            return this;
        }

        /**
         * The old name of {@link #timeout(Duration)}; the backend logs a warning that says so.
         *
         * @deprecated use {@link #timeout(Duration)}, the vocabulary's word (and the URI's)
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder commandTimeout(Duration timeout) {
            overrides.options.oldTimeout(timeout);
            return this;
        }

        /** Connects; throws {@code LockBackendException} naming the URI if no session is made in time. */
        public ZooKeeperLockBackend build() {
            return new ZooKeeperLockBackend(ZooKeeperSettings.parse(uri, overrides));
        }
    }
}
