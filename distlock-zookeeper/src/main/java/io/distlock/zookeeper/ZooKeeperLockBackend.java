package io.distlock.zookeeper;

import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.Durations;
import io.distlock.spi.ListPages;
import io.distlock.spi.LockBackend;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Locks on a ZooKeeper ensemble, through Apache Curator's client.
 *
 * <pre>{@code
 * LockManager locks = LockManager.builder(ZooKeeperLockBackend.open("zookeeper://zk1:2181,zk2:2181,zk3:2181/apps")).build();
 * }</pre>
 *
 * <p>One held lock is one ephemeral node, {@code <chroot>/<namespace>/locks/l-<escaped name>}
 * ({@link NodeNames}), holding the holder's record ({@link LockRecord}), plus an ephemeral marker
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
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperLockBackend.class);
    /** Contenders remember what they saw of this many busy names at most; forgetting only delays a takeover. */
    private static final int MAX_OBSERVATIONS = 10_000;
    /** Lock nodes {@link #list} reads in one pipelined round. */
    private static final int READ_ROUND = 1000;

    private final ZooKeeperSettings settings;
    private final CuratorFramework client;
    private final String locksPath;
    private final String locksPrefix;
    private final String ownersPrefix;
    /** The acquisitions this backend holds, by name: for extend's record, and for reporting a lost session. */
    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
    /** What this backend last saw of a busy lock, and since when: the clock-free lease check. */
    private final ConcurrentHashMap<String, Observation> observations = new ConcurrentHashMap<>();
    /**
     * Acquisitions whose outcome is unknown (an acquire or release whose answer was lost: timeout,
     * dropped connection), by owner id: released again, by owner id, as soon as the connection is
     * back. The engine already undoes a failed acquire at once, but while the server is unreachable
     * that undo fails too, and the node would stay until its lease or its session ran out.
     */
    private final ConcurrentHashMap<String, String> toUndo = new ConcurrentHashMap<>();
    private final Watcher wakeUps = this::watched;
    private volatile BackendEvents events;
    private volatile long sessionId;
    private volatile boolean closed;

    private ZooKeeperLockBackend(ZooKeeperSettings settings) {
        this.settings = settings;
        this.locksPath = settings.base() + "/locks";
        this.locksPrefix = locksPath + "/";
        this.ownersPrefix = settings.base() + "/owners/";
        this.client = CuratorFrameworkFactory.builder()
                .connectString(settings.connectString())
                .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) settings.connectTimeout().toMillis())
                // Only Curator's own calls retry (creating the namespace's nodes). Lock operations are
                // single attempts on the raw handle: a blind retry of a create whose answer was lost
                // could find its own node and call it busy; the engine owns retrying.
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .build();
        boolean sessionless = false;
        try {
            client.start();
            if (!client.blockUntilConnected((int) settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                sessionless = true;
                ConnectAdvice.Finding why = ConnectAdvice.of(settings.connectString(), settings.connectTimeout());
                // A refusal is the cause, so that a caller that may wait tries again (ConnectionUnavailableException.isTransient).
                throw new LockBackendException("Cannot connect to " + describe() + ": no ZooKeeper session within "
                        + settings.connectTimeout() + " (the connectTimeout parameter)" + (why == null ? ""
                        : "; " + why.advice()), why == null ? null : why.refused());
            }
            ensureParents();
            sessionId = handle().getSessionId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new LockBackendException("Interrupted while connecting to " + describe(), e);
        } catch (RuntimeException e) {
            if (sessionless) {
                // There is no session to end, yet ZooKeeper's close asks the server to end one and
                // waits for the answer until its read timeout (20 s with the default session
                // timeout) where a port accepts but never answers (not ZooKeeper's, or an ensemble
                // without a quorum): the client closes on a thread of its own instead.
                Thread closer = new Thread(client::close, "distlock-zookeeper-close");
                closer.setDaemon(true);
                closer.start();
            } else {
                client.close();
            }
            throw e;
        }
    }

    /** Connects to {@code uri}; see the class comment for the format. */
    public static ZooKeeperLockBackend open(String uri) {
        return builder(uri).build();
    }

    /** Settings from {@code uri}, which the builder's methods override. */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** The namespace's fixed nodes ({@code <chroot>/<namespace>/locks} and {@code .../owners}), persistent. */
    private void ensureParents() {
        for (String path : List.of(locksPath, settings.base() + "/owners")) {
            try {
                if (client.checkExists().forPath(path) == null) {
                    client.create().creatingParentsIfNeeded().forPath(path);
                }
            } catch (KeeperException.NodeExistsException createdMeanwhile) {
                // Another backend made it first.
            } catch (Exception e) {
                throw new LockBackendException("Cannot create " + path + " on " + describe() + ": " + e, e);
            }
        }
    }

    // ---------------------------------------------------------------- the SPI

    @Override
    public void start(BackendEvents events) {
        this.events = events;
        client.getConnectionStateListenable().addListener((c, state) -> connectionStateChanged(state));
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        String name = request.name();
        String lockPath = lockPath(name);
        ZooKeeper zk = handle();
        requireLeaseWithinSession(zk, request.lease(), name);
        long leaseMillis = Math.max(1, Durations.saturatedMillis(request.lease()));
        LockRecord record = new LockRecord(request.ownerId(), leaseMillis,
                request.acquiredAt().toEpochMilli() + leaseMillis, request.acquiredAt(), request.pid(), request.host(),
                request.thread());
        byte[] data = record.encode();
        // The setData returns the node's Stat, hence its czxid, the token: servers before 3.9 answer a
        // create inside a multi with its path only.
        List<Op> create = List.of(Op.create(lockPath, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL),
                Op.setData(lockPath, data, 0),
                Op.create(ownerPath(request.ownerId(), name), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL));
        Deadline deadline = deadline();
        // A name seen busy lately is read first: a read is answered by the server we talk to, while
        // a create that fails still goes through the leader and a quorum.
        boolean readFirst = observations.containsKey(name);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (!readFirst) {
                Reply created = awaitAcquire(zk, create, deadline, request);
                if (created.rc == Code.OK.intValue()) {
                    return acquired(zk, name, record, created.stat(1));
                }
                if (created.rc == Code.NONODE.intValue() && created.failedIndex() == 0) {
                    ensureParents(); // someone removed the namespace's nodes
                    continue;
                }
                if (created.rc != Code.NODEEXISTS.intValue() || created.failedIndex() != 0) {
                    throw failure("acquire", name, created.rc);
                }
            }
            readFirst = false;
            // One watch per name per backend: ZooKeeper keeps one per path and session, whatever the
            // number of reads. None for a try-once, nor for a lock this backend holds itself (the
            // engine wakes its own waiters when it releases).
            boolean watch = request.waits() && !held.containsKey(name);
            Reply read = await(getData(zk, lockPath, watch), deadline, "acquire", name);
            if (read.rc == Code.NONODE.intValue()) {
                observations.remove(name);
                continue; // released meanwhile: try to create it
            }
            if (read.rc != Code.OK.intValue()) {
                throw failure("acquire", name, read.rc);
            }
            long receivedAt = System.nanoTime();
            Optional<LockRecord> holder = LockRecord.decode(read.data);
            Stat stat = read.stat;
            Observation seen = observations.get(name);
            if (seen != null && seen.czxid == stat.getCzxid() && seen.mzxid == stat.getMzxid()) {
                if (holder.isPresent() && receivedAt - seen.since >= lapseNanos(holder.get().leaseMillis())) {
                    Reply taken = awaitAcquire(zk, takeOver(name, lockPath, stat, holder.get(), create), deadline, request);
                    if (taken.rc == Code.OK.intValue()) {
                        return acquired(zk, name, record, taken.stat(3));
                    }
                    // It changed between our read and the takeover (extended, released, taken): busy.
                }
            } else {
                if (observations.size() >= MAX_OBSERVATIONS) {
                    observations.clear();
                }
                observations.put(name, new Observation(stat.getCzxid(), stat.getMzxid(), receivedAt));
            }
            return AcquireResult.busy(holder.map(h -> h.info(name, stat.getCzxid())).orElse(null));
        }
        return AcquireResult.busy();
    }

    /**
     * Refuses a lease longer than the session the server granted (its negotiated timeout, which the
     * server may have narrowed from the one asked for). The lock node is ephemeral: the server deletes
     * it once it has heard nothing from the session for the session timeout, which starts no earlier
     * than the request that takes or extends the lock, while the holder counts its lease from before
     * it sent that request. So with a lease no longer than the session, a holder paused until its
     * session expired has also outlived its lease by its own clock, and never believes it holds a
     * lock whose node is gone; with a longer lease it would, until its client noticed the expiry.
     */
    private void requireLeaseWithinSession(ZooKeeper zk, Duration lease, String name) {
        Duration session = Duration.ofMillis(zk.getSessionTimeout());
        if (lease.compareTo(session) > 0) {
            throw new IllegalArgumentException("lease " + exactly(lease) + " of lock '" + name
                    + "' is longer than the ZooKeeper session timeout of " + exactly(session) + " on "
                    + describe() + " (asked for " + Durations.format(settings.sessionTimeout())
                    + ", granted by the server within its min/maxSessionTimeout): the lock node goes with the "
                    + "session, so a holder paused past the session would lose it while its lease still ran. "
                    + "Use a lease of at most " + Durations.format(session)
                    + ", or a longer sessionTimeout parameter (up to the server's maxSessionTimeout)");
        }
    }

    /** Whole seconds as {@code 30s}, anything finer in milliseconds, so that two durations that differ never read the same. */
    private static String exactly(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? Durations.format(duration) : duration.toMillis() + "ms";
    }

    /**
     * How long a contender must see a node unchanged before its lease has surely run out for its
     * holder too: the lease plus 1 %, for clocks that run at slightly different rates. The holder
     * counts from before it sent its request; the contender from after a read that already saw the
     * result, so the holder's count always ends first.
     */
    private static long lapseNanos(long leaseMillis) {
        long nanos = TimeUnit.MILLISECONDS.toNanos(leaseMillis);
        return nanos + nanos / 100;
    }

    /**
     * Deletes the exact node seen (its version, and its owner's marker, which no later holder can
     * have) and creates ours, atomically: if anything changed since the read, nothing happens.
     */
    private List<Op> takeOver(String name, String lockPath, Stat seen, LockRecord holder, List<Op> create) {
        List<Op> ops = new ArrayList<>(4);
        ops.add(Op.delete(lockPath, seen.getVersion()));
        ops.add(Op.delete(ownerPath(holder.ownerId(), name), -1));
        ops.addAll(create);
        return ops;
    }

    private AcquireResult acquired(ZooKeeper zk, String name, LockRecord record, Stat created) {
        observations.remove(name);
        held.put(name, new Held(record, zk.getSessionId()));
        return AcquireResult.acquired(created.getCzxid());
    }

    /**
     * A create whose answer comes too late: the caller was told it failed, so if it did take the
     * lock after all, give it back as soon as we learn so (the engine's own clean-up release may
     * have run before the create reached the server).
     */
    private Reply awaitAcquire(ZooKeeper zk, List<Op> ops, Deadline deadline, AcquireRequest request) {
        CompletableFuture<Reply> pending = multi(zk, ops);
        try {
            return await(pending, deadline, "acquire", request.name());
        } catch (LockBackendException failed) {
            toUndo.put(request.ownerId(), request.name());
            pending.thenAccept(late -> {
                if (late.rc == Code.OK.intValue()) {
                    undo(request.ownerId(), request.name());
                } else if (definite(late.rc)) {
                    toUndo.remove(request.ownerId(), request.name()); // it took nothing
                }
            });
            throw failed;
        }
    }

    /** An answer that says what happened (as opposed to a lost connection, whose request may or may not have run). */
    private static boolean definite(int rc) {
        return rc == Code.OK.intValue() || rc == Code.NONODE.intValue() || rc == Code.NODEEXISTS.intValue()
                || rc == Code.BADVERSION.intValue();
    }

    /** Releases {@code ownerId}'s nodes in the background; forgets it once the server has answered for sure. */
    private void undo(String ownerId, String name) {
        try {
            multi(handle(), releaseOps(name, ownerId)).thenAccept(reply -> {
                if (definite(reply.rc)) {
                    toUndo.remove(ownerId, name);
                }
            });
        } catch (RuntimeException noConnectionYet) {
            // Kept in toUndo for the next reconnection.
        }
    }

    @Override
    public boolean release(String name, String ownerId) {
        Reply reply;
        try {
            reply = await(multi(handle(), releaseOps(name, ownerId)), deadline(), "release", name);
        } catch (LockBackendException lostAnswer) {
            toUndo.put(ownerId, name);
            throw lostAnswer;
        }
        forget(name, ownerId);
        if (!definite(reply.rc)) {
            toUndo.put(ownerId, name);
        }
        if (reply.rc == Code.OK.intValue()) {
            return true;
        }
        if (reply.rc == Code.NONODE.intValue()) {
            return false; // our marker is gone: expired session, takeover or forceRelease
        }
        throw failure("release", name, reply.rc);
    }

    /** The marker first: without it the whole transaction fails and the lock node stays untouched. */
    private List<Op> releaseOps(String name, String ownerId) {
        return List.of(Op.delete(ownerPath(ownerId, name), -1), Op.delete(lockPath(name), -1));
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        requireLeaseWithinSession(handle(), lease, name);
        long leaseMillis = Math.max(1, Durations.saturatedMillis(lease));
        Held mine = held.get(name);
        LockRecord record;
        if (mine != null && mine.record.ownerId().equals(ownerId)) {
            record = mine.record;
            // A lease that has run out is never revived (contract 3.4), though its node stays until a
            // contender takes it over: the end was written by this holder's own clock, so this
            // compares that clock with itself.
            if (record.expiresAtMillis() <= System.currentTimeMillis()) {
                return false;
            }
        } else {
            Optional<LockInfo> current = inspectAny(name, deadline());
            if (current.isEmpty() || !current.get().ownerId().equals(ownerId) || !leaseRunning(current.get())) {
                return false;
            }
            LockInfo info = current.get();
            record = new LockRecord(ownerId, leaseMillis, 0, info.acquiredAt(), info.pid(), info.host(), info.thread());
        }
        LockRecord next = record.extended(leaseMillis, System.currentTimeMillis());
        List<Op> ops = List.of(Op.check(ownerPath(ownerId, name), -1), Op.setData(lockPath(name), next.encode(), -1));
        Reply reply = await(multi(handle(), ops), deadline(), "extend", name);
        if (reply.rc == Code.OK.intValue()) {
            held.computeIfPresent(name, (n, h) -> h.record.ownerId().equals(ownerId) ? new Held(next, h.session) : h);
            return true;
        }
        if (reply.rc == Code.NONODE.intValue()) {
            forget(name, ownerId);
            return false;
        }
        throw failure("extend", name, reply.rc);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return inspectAny(name, deadline()).filter(ZooKeeperLockBackend::leaseRunning);
    }

    /** The holder by its record, lapsed or not. */
    private Optional<LockInfo> inspectAny(String name, Deadline deadline) {
        Reply read = await(freshData(handle(), lockPath(name)), deadline, "inspect", name);
        return holder(name, read);
    }

    private Optional<LockInfo> holder(String name, Reply read) {
        if (read.rc == Code.NONODE.intValue()) {
            return Optional.empty();
        }
        if (read.rc != Code.OK.intValue()) {
            throw failure("inspect", name, read.rc);
        }
        long token = read.stat.getCzxid();
        return Optional.of(LockRecord.decode(read.data).map(r -> r.info(name, token))
                .orElseGet(() -> new LockInfo(name, "(a node distlock did not write)", null, -1, null, null, null, token)));
    }

    /** A lease past its end by the reader's clock is reported free, as the SPI asks. */
    private static boolean leaseRunning(LockInfo info) {
        return info.expiresAt() == null || info.expiresAt().toEpochMilli() > System.currentTimeMillis();
    }

    /**
     * One {@code getChildren} of the namespace's lock node, which ZooKeeper answers whole (every
     * lock's node name, never its data), then the matching nodes' data in name order, in pipelined
     * rounds of at most {@value #READ_ROUND} reads, each round within the timeout, until one lock
     * more than {@code limit} is found.
     */
    @Override
    public ListPage list(String prefix, int limit) {
        int wanted = ListPages.wanted(limit);
        ZooKeeper zk = handle();
        CompletableFuture<Reply> children = new CompletableFuture<>();
        barrier(zk);
        zk.getChildren(locksPath, false, (rc, path, ctx, names) -> children.complete(Reply.children(rc, names)), null);
        Reply listed = await(children, deadline(), "list", prefix);
        if (listed.rc != Code.OK.intValue()) {
            throw failure("list", prefix, listed.rc);
        }
        Map<String, String> nodes = new TreeMap<>();
        for (String node : listed.children) {
            NodeNames.lockName(node).filter(n -> n.startsWith(prefix)).ifPresent(n -> nodes.put(n, node));
        }
        List<LockInfo> found = new ArrayList<>();
        Iterator<Map.Entry<String, String>> next = nodes.entrySet().iterator();
        while (next.hasNext() && found.size() < wanted) {
            // One pipelined round of reads: send all, then collect.
            Map<String, CompletableFuture<Reply>> reads = new LinkedHashMap<>();
            while (next.hasNext() && reads.size() < Math.min(READ_ROUND, wanted - found.size())) {
                Map.Entry<String, String> node = next.next();
                reads.put(node.getKey(), getData(zk, locksPrefix + node.getValue(), false));
            }
            Deadline readDeadline = deadline();
            reads.forEach((name, read) -> holder(name, await(read, readDeadline, "list", prefix))
                    .filter(ZooKeeperLockBackend::leaseRunning).ifPresent(found::add));
        }
        return ListPages.of(found, limit);
    }

    @Override
    public boolean forceRelease(String name) {
        String lockPath = lockPath(name);
        Deadline deadline = deadline();
        ZooKeeper zk = handle();
        boolean withMarker = true;
        for (int attempt = 0; attempt < 10; attempt++) {
            Reply read = await(freshData(zk, lockPath), deadline, "forceRelease", name);
            if (read.rc == Code.NONODE.intValue()) {
                return false;
            }
            if (read.rc != Code.OK.intValue()) {
                throw failure("forceRelease", name, read.rc);
            }
            Optional<LockRecord> holder = LockRecord.decode(read.data);
            List<Op> ops = new ArrayList<>(2);
            ops.add(Op.delete(lockPath, read.stat.getVersion()));
            if (withMarker && holder.isPresent()) {
                ops.add(Op.delete(ownerPath(holder.get().ownerId(), name), -1));
            }
            Reply deleted = await(multi(zk, ops), deadline, "forceRelease", name);
            if (deleted.rc == Code.OK.intValue()) {
                observations.remove(name);
                holder.ifPresent(h -> forget(name, h.ownerId()));
                return true;
            }
            if (deleted.rc == Code.NONODE.intValue() && deleted.failedIndex() == 1) {
                withMarker = false; // a lock node without its marker: not ours to keep consistent
            } else if (deleted.rc != Code.BADVERSION.intValue() && deleted.rc != Code.NONODE.intValue()) {
                throw failure("forceRelease", name, deleted.rc);
            }
            // Extended, released or taken between the read and the delete: look again.
        }
        throw new LockBackendException("forceRelease of lock '" + name + "' on " + describe()
                + " gave up: the lock changed under every one of 10 attempts");
    }

    @Override
    public String describe() {
        return settings.description();
    }

    /**
     * Closes the session. ZooKeeper then deletes its ephemeral nodes at once: unlike a lease-only
     * backend, locks still held through this backend are freed by closing it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            client.close();
        } catch (RuntimeException e) {
            // Closing must not fail; the session ends either way (at the latest when it times out).
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperLockBackend{" + describe() + "}";
    }

    // ---------------------------------------------------------------- sessions and watches

    private void connectionStateChanged(ConnectionState state) {
        BackendEvents listening = events;
        if (closed || listening == null) {
            return;
        }
        switch (state) {
            case SUSPENDED, READ_ONLY -> listening.connectionLost(new LockBackendException("The connection to "
                    + describe() + " is suspended (Curator " + state + "): held locks cannot be confirmed until it is back"));
            case LOST -> {
                long lost = sessionId;
                sessionLost(listening, session -> session == lost, "The ZooKeeper session of " + describe()
                        + " is lost (expired, or given up by Curator after the session timeout without a connection): "
                        + "its ephemeral lock nodes are gone");
            }
            case CONNECTED, RECONNECTED -> {
                long now;
                try {
                    now = handle().getSessionId();
                } catch (RuntimeException e) {
                    return;
                }
                if (now != sessionId) {
                    sessionId = now;
                    sessionLost(listening, session -> session != now, "The connection to " + describe()
                            + " came back with a new ZooKeeper session: the old session's lock nodes are gone");
                }
                toUndo.forEach((ownerId, name) -> undo(ownerId, name));
                listening.connectionRestored();
            }
            default -> {
            }
        }
    }

    /**
     * Every acquisition made in a {@code dead} session is lost: its ephemeral nodes went with it.
     * Acquisitions of a newer session (a thread may take a lock in the new session before this
     * listener runs) are kept.
     */
    private void sessionLost(BackendEvents listening, java.util.function.LongPredicate dead, String why) {
        LockBackendException cause = new LockBackendException(why);
        observations.clear();
        for (Map.Entry<String, Held> entry : held.entrySet()) {
            Held h = entry.getValue();
            if (dead.test(h.session) && held.remove(entry.getKey(), h)) {
                listening.lost(entry.getKey(), h.record.ownerId(), cause);
            }
        }
    }

    /** A watched lock node was deleted: wake this manager's waiters for that name. */
    private void watched(WatchedEvent event) {
        String path = event.getPath();
        BackendEvents listening = events;
        if (path == null || listening == null || event.getType() != Watcher.Event.EventType.NodeDeleted
                || !path.startsWith(locksPrefix)) {
            return; // a data change is an extension: the next busy try reads again and re-arms
        }
        NodeNames.lockName(path.substring(locksPrefix.length())).ifPresent(name -> {
            observations.remove(name);
            listening.released(name);
        });
    }

    // ---------------------------------------------------------------- helpers

    private void forget(String name, String ownerId) {
        held.computeIfPresent(name, (n, h) -> h.record.ownerId().equals(ownerId) ? null : h);
    }

    String lockPath(String name) {
        return locksPrefix + NodeNames.lockNode(name);
    }

    private String ownerPath(String ownerId, String name) {
        return ownersPrefix + NodeNames.ownerNode(ownerId, name);
    }

    /** The current handle, whose session the operations run in (a new one after an expired session). */
    private ZooKeeper handle() {
        try {
            return client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new LockBackendException("No ZooKeeper connection to " + describe() + ": " + e, e);
        }
    }

    /** For fault tests: the session this backend runs in. */
    long sessionIdForTests() {
        return handle().getSessionId();
    }

    byte[] sessionPasswordForTests() {
        return handle().getSessionPasswd();
    }

    private Deadline deadline() {
        return new Deadline(settings.commandTimeout());
    }

    private static CompletableFuture<Reply> multi(ZooKeeper zk, List<Op> ops) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        zk.multi(ops, (rc, path, ctx, results) -> reply.complete(Reply.multi(rc, results)), null);
        return reply;
    }

    /**
     * A read that sees every write committed before it was sent, through whichever server this
     * session talks to. A follower answers reads from its own copy, which may lag behind the leader,
     * so a lock just taken through the leader could look free to inspect, and forceRelease could find
     * nothing to release (seen in the ensemble's contract run: rule 3.5's inspect after a release saw
     * the released lock, rule 5.2's forceRelease found nothing). See {@link #barrier}.
     */
    private CompletableFuture<Reply> freshData(ZooKeeper zk, String path) {
        barrier(zk);
        return getData(zk, path, false);
    }

    /**
     * A write that changes nothing (a {@code multi} of one version check of the namespace's node),
     * sent before a read and pipelined with it. A server answers one session's requests in order,
     * and a follower holds that session's read until the write has gone through the leader and been
     * applied to its own copy, so the read sees at least everything committed before the write.
     * Not {@code sync}, which promises the same and is as exposed to the held answers that
     * {@link #nudge} works around (synced reads through a follower went unanswered for 10 s in 2 of
     * 17 runs of the follower-read test, before that cause was found): writes are the path every
     * acquire takes anyway. The write's own answer is not needed: the read after it fails alike if
     * the connection does.
     */
    private void barrier(ZooKeeper zk) {
        zk.multi(List.of(Op.check(locksPath, -1)), (rc, path, ctx, results) -> { }, null);
    }

    private CompletableFuture<Reply> getData(ZooKeeper zk, String path, boolean watch) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        zk.getData(path, watch ? wakeUps : null, (rc, p, ctx, data, stat) -> reply.complete(Reply.data(rc, data, stat)),
                null);
        return reply;
    }

    private Reply await(CompletableFuture<Reply> reply, Deadline deadline, String operation, String name) {
        try {
            return deadline.await(reply, () -> nudge(operation, name));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockBackendException("Interrupted during " + operation + " of lock '" + name + "' on "
                    + describe(), e);
        } catch (TimeoutException e) {
            // Whether the client was connected tells a request queued behind a reconnection from one
            // sent on a live connection and never answered: the two need different fixes.
            throw new LockBackendException(describe() + " did not answer " + operation + " of lock '" + name
                    + "' within " + settings.commandTimeout() + " (the timeout parameter); the client was "
                    + (client.getZookeeperClient().isConnected() ? "connected" : "not connected") + " then", e);
        } catch (ExecutionException e) {
            throw new LockBackendException(operation + " of lock '" + name + "' on " + describe() + " failed: "
                    + e.getCause(), e.getCause());
        }
    }

    /**
     * Sends a read that nobody waits for, to wake a server that holds an answer back. ZooKeeper
     * servers from 3.6.0 until 3.8.1 (Debian 12 packages 3.8.0) can miss the wake-up of the thread that
     * applies committed writes (ZOOKEEPER-4537, fixed in 3.8.1): the answer to a request, and every
     * later request of the sessions on that server, then waits until some other request or commit
     * reaches that server. A client that sends nothing else meanwhile waits until its next ping, a
     * third of the session timeout; this backend's tests saw 10 s waits on a healthy 3-server
     * ensemble, about one module run in four. Any request wakes that thread, so a late answer costs
     * one read per {@link Deadline#NUDGE_NANOS}, and a healthy server just answers it.
     */
    private void nudge(String operation, String name) {
        log.debug("No answer yet to {} of lock '{}' on {}: sending a read to wake the server", operation, name,
                describe());
        try {
            handle().exists(locksPath, false, (rc, path, ctx, stat) -> { }, null);
        } catch (RuntimeException noConnection) {
            // The request in flight fails with the connection, and is answered so.
        }
    }

    private LockBackendException failure(String operation, String name, int rc) {
        KeeperException cause = KeeperException.create(Code.get(rc));
        String message = operation + " of lock '" + name + "' on " + describe() + " failed: " + cause.getMessage();
        // Curator's SUSPENDED event can reach connectionStateChanged after this answer reaches the
        // caller; saying so here lets a waiting acquisition ride out the reconnect (contract 6.4).
        return rc == Code.CONNECTIONLOSS.intValue()
                ? new ConnectionUnavailableException(message, cause)
                : new LockBackendException(message, cause);
    }

    /**
     * An operation's timeout that does not count time this process was frozen. When the whole
     * machine stops (a virtual machine paused by its host, a laptop asleep) the servers stop with
     * it, and the monotonic clock jumps on waking: a plain timed wait would fail at once, before
     * the answer that the resumed server sends within milliseconds could be read (seen on this
     * project's 3-server test ensemble: all four JVMs stood still for 8 to 10 s at once, and the
     * acquire in flight failed with "did not answer ... within PT10S" as they woke). So the wait is
     * cut into short slices, and a slice that ends far later than asked (more than
     * {@link #FROZEN_NANOS}) was a freeze, whose length is added to the deadline: the server had
     * no chance to answer in that time either. A server that is down, or frozen alone, still fails
     * the operation within its timeout, since this process keeps running meanwhile.
     */
    static final class Deadline {
        private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
        /** Later than this past its slice, a wake-up is taken as a freeze, not as a busy scheduler's delay. */
        static final long FROZEN_NANOS = TimeUnit.SECONDS.toNanos(1);
        /** How late an answer is before the server is nudged (see {@code nudge}): far above a healthy server's answer time. */
        static final long NUDGE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
        private long end;

        Deadline(Duration timeout) {
            end = System.nanoTime() + timeout.toNanos();
        }

        /** {@code nudge} runs each time the answer is {@link #NUDGE_NANOS} later than when it last ran (or than the call). */
        Reply await(CompletableFuture<Reply> reply, Runnable nudge)
                throws InterruptedException, ExecutionException, TimeoutException {
            long nextNudge = System.nanoTime() + NUDGE_NANOS;
            while (true) {
                long before = System.nanoTime();
                long remaining = end - before;
                if (remaining <= 0) {
                    if (reply.isDone()) {
                        return reply.get();
                    }
                    throw new TimeoutException();
                }
                long slice = Math.min(remaining, SLICE_NANOS);
                try {
                    return reply.get(slice, TimeUnit.NANOSECONDS);
                } catch (TimeoutException notYet) {
                    long now = System.nanoTime();
                    long late = now - before - slice;
                    if (late > FROZEN_NANOS) {
                        end += late;
                    }
                    if (now - nextNudge >= 0) {
                        nudge.run();
                        nextNudge = now + NUDGE_NANOS;
                    }
                }
            }
        }
    }

    /** What this backend holds: the record extend rewrites, and the session it lives in. */
    private record Held(LockRecord record, long session) {
    }

    /** A busy lock as a contender saw it: which node, which version of it, and since when (nanoTime). */
    private record Observation(long czxid, long mzxid, long since) {
    }

    /** One asynchronous answer: a return code and, by operation, the data, the results or the children. */
    private record Reply(int rc, byte[] data, Stat stat, List<OpResult> results, List<String> children) {
        static Reply multi(int rc, List<OpResult> results) {
            return new Reply(rc, null, null, results, null);
        }

        static Reply data(int rc, byte[] data, Stat stat) {
            return new Reply(rc, data, stat, null, null);
        }

        static Reply children(int rc, List<String> children) {
            return new Reply(rc, null, null, null, children);
        }

        /** The index of the operation that failed a multi, or -1. */
        int failedIndex() {
            if (results == null) {
                return -1;
            }
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof OpResult.ErrorResult error && error.getErr() != Code.OK.intValue()
                        && error.getErr() != Code.RUNTIMEINCONSISTENCY.intValue()) {
                    return i;
                }
            }
            return -1;
        }

        /** The Stat a multi's setData answered with. */
        Stat stat(int index) {
            return ((OpResult.SetDataResult) results.get(index)).getStat();
        }
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
            overrides.namespace = namespace;
            return this;
        }

        /** The ZooKeeper session timeout asked for; the server may narrow it to its minimum and maximum. */
        public Builder sessionTimeout(Duration timeout) {
            overrides.sessionTimeout = Durations.requirePositive("sessionTimeout", timeout);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            overrides.connectTimeout = Durations.requirePositive("connectTimeout", timeout);
            return this;
        }

        /** How long any one operation may take before it fails with {@code LockBackendException} (default 2 s). */
        public Builder timeout(Duration timeout) {
            overrides.timeout.set(Durations.requirePositive("timeout", timeout));
            return this;
        }

        /**
         * The old name of {@link #timeout(Duration)}; the backend logs a warning that says so.
         *
         * @deprecated use {@link #timeout(Duration)}, the vocabulary's word (and the URI's)
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder commandTimeout(Duration timeout) {
            overrides.timeout.setOld(Durations.requirePositive("commandTimeout", timeout));
            return this;
        }

        /** Connects; throws {@code LockBackendException} naming the URI if no session is made in time. */
        public ZooKeeperLockBackend build() {
            return new ZooKeeperLockBackend(settings());
        }

        /** The URI read with this builder's overrides, as {@link #build()} reads it, without connecting. */
        ZooKeeperSettings settings() {
            return ZooKeeperSettings.parse(uri, overrides);
        }

    }
}
