package io.distlock.zookeeper;

import io.distlock.LockBackendException;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.Durations;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongPredicate;

/**
 * The Curator client and the ZooKeeper session under it: connecting, the session's events as the
 * backend needs them, and single-attempt requests awaited within the operation timeout (with the
 * nudge that wakes a server holding an answer back, ZOOKEEPER-4537).
 */
final class ZooKeeperConnection implements AutoCloseable {
    /** The backend's logger, so the nudge's debug line stays under the category users already configure. */
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperLockBackend.class);

    /** What the backend does as the session changes; called on Curator's event thread. */
    interface SessionListener {
        /** The connection is suspended: held locks cannot be confirmed until it is back. */
        void suspended(LockBackendException why);

        /** The sessions {@code ended} accepts are over, and their ephemeral nodes with them. */
        void sessionEnded(LongPredicate ended, LockBackendException why);

        /** Connected again, in the same session or (after {@link #sessionEnded}) a new one. */
        void reconnected();
    }

    private final ZooKeeperSettings settings;
    private final ZooKeeperKeys keys;
    private final CuratorFramework client;
    private volatile long sessionId;
    private volatile boolean closed;

    /** Connects; throws {@code LockBackendException} naming the URI if no session is made in time. */
    ZooKeeperConnection(ZooKeeperSettings settings, ZooKeeperKeys keys) {
        this.settings = settings;
        this.keys = keys;
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

    /** The namespace's fixed nodes ({@code <chroot>/<namespace>/locks} and {@code .../owners}), persistent. */
    void ensureParents() {
        for (String path : List.of(keys.locksPath(), keys.ownersPath())) {
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

    String describe() {
        return settings.description();
    }

    /** Tells {@code listener} of the session's changes from now on. */
    void listen(SessionListener listener) {
        client.getConnectionStateListenable().addListener((c, state) -> stateChanged(state, listener));
    }

    private void stateChanged(ConnectionState state, SessionListener listener) {
        if (closed) {
            return;
        }
        switch (state) {
            case SUSPENDED, READ_ONLY -> listener.suspended(new LockBackendException("The connection to "
                    + describe() + " is suspended (Curator " + state + "): held locks cannot be confirmed until it is back"));
            case LOST -> {
                long lost = sessionId;
                listener.sessionEnded(session -> session == lost, new LockBackendException("The ZooKeeper session of "
                        + describe() + " is lost (expired, or given up by Curator after the session timeout without a "
                        + "connection): its ephemeral lock nodes are gone"));
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
                    listener.sessionEnded(session -> session != now, new LockBackendException("The connection to "
                            + describe() + " came back with a new ZooKeeper session: the old session's lock nodes are gone"));
                }
                listener.reconnected();
            }
            default -> {
            }
        }
    }

    /** The current handle, whose session the operations run in (a new one after an expired session). */
    ZooKeeper handle() {
        try {
            return client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new LockBackendException("No ZooKeeper connection to " + describe() + ": " + e, e);
        }
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
    void requireLeaseWithinSession(ZooKeeper zk, Duration lease, String name) {
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

    /** One operation's time, from now. */
    Deadline deadline() {
        return new Deadline(settings.commandTimeout());
    }

    static CompletableFuture<Reply> multi(ZooKeeper zk, List<Op> ops) {
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
    CompletableFuture<Reply> freshData(ZooKeeper zk, String path) {
        barrier(zk);
        return getData(zk, path, null);
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
    void barrier(ZooKeeper zk) {
        zk.multi(List.of(Op.check(keys.locksPath(), -1)), (rc, path, ctx, results) -> { }, null);
    }

    /** The node's data and Stat; {@code watcher} (or none, if null) hears of its next change. */
    static CompletableFuture<Reply> getData(ZooKeeper zk, String path, @Nullable Watcher watcher) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        zk.getData(path, watcher, (rc, p, ctx, data, stat) -> reply.complete(Reply.data(rc, data, stat)), null);
        return reply;
    }

    /** The names of the lock nodes, after a {@link #barrier}. */
    CompletableFuture<Reply> freshLockNodes(ZooKeeper zk) {
        CompletableFuture<Reply> children = new CompletableFuture<>();
        barrier(zk);
        zk.getChildren(keys.locksPath(), false, (rc, path, ctx, names) -> children.complete(Reply.children(rc, names)),
                null);
        return children;
    }

    Reply await(CompletableFuture<Reply> reply, Deadline deadline, String operation, String name) {
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
            handle().exists(keys.locksPath(), false, (rc, path, ctx, stat) -> { }, null);
        } catch (RuntimeException noConnection) {
            // The request in flight fails with the connection, and is answered so.
        }
    }

    LockBackendException failure(String operation, String name, int rc) {
        KeeperException cause = KeeperException.create(Code.get(rc));
        String message = operation + " of lock '" + name + "' on " + describe() + " failed: " + cause.getMessage();
        // Curator's SUSPENDED event can reach the session listener after this answer reaches the
        // caller; saying so here lets a waiting acquisition ride out the reconnect (contract 6.4).
        return rc == Code.CONNECTIONLOSS.intValue()
                ? new ConnectionUnavailableException(message, cause)
                : new LockBackendException(message, cause);
    }

    /** Ends the session; the server deletes its ephemeral nodes at once. Never fails. */
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
}
