package io.distlock.zookeeper;

import io.distlock.LockBackendException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Acquisitions whose outcome is unknown (an acquire or release whose answer was lost: timeout,
 * dropped connection), by owner id: released again, by owner id, as soon as the connection is
 * back. The engine already undoes a failed acquire at once, but while the server is unreachable
 * that undo fails too, and the node would stay until its lease or its session ran out.
 */
final class PendingUndos {
    private final ZooKeeperConnection connection;
    private final LockTransactions transactions;
    private final ConcurrentHashMap<String, String> toUndo = new ConcurrentHashMap<>();

    PendingUndos(ZooKeeperConnection connection, LockTransactions transactions) {
        this.connection = connection;
        this.transactions = transactions;
    }

    /**
     * Sends an acquire's transaction and waits for its answer. One that comes too late: the caller
     * was told it failed, so if it did take the lock after all, give it back as soon as we learn so
     * (the engine's own clean-up release may have run before the create reached the server).
     */
    Reply awaitAcquire(ZooKeeper zk, List<Op> ops, Deadline deadline, String name, String ownerId) {
        CompletableFuture<Reply> pending = ZooKeeperConnection.multi(zk, ops);
        try {
            return connection.await(pending, deadline, "acquire", name);
        } catch (LockBackendException failed) {
            toUndo.put(ownerId, name);
            pending.thenAccept(late -> {
                if (late.rc() == Code.OK.intValue()) {
                    undo(ownerId, name);
                } else if (definite(late.rc())) {
                    toUndo.remove(ownerId, name); // it took nothing
                }
            });
            throw failed;
        }
    }

    /** Sends a release's transaction and waits for its answer; one lost, or not definite, is sent again later. */
    Reply awaitRelease(String name, String ownerId) {
        Reply reply;
        try {
            reply = connection.await(ZooKeeperConnection.multi(connection.handle(), transactions.release(name, ownerId)),
                    connection.deadline(), "release", name);
        } catch (LockBackendException lostAnswer) {
            toUndo.put(ownerId, name);
            throw lostAnswer;
        }
        if (!definite(reply.rc())) {
            toUndo.put(ownerId, name);
        }
        return reply;
    }

    /** The connection is back: release everything whose outcome is still unknown. */
    void retry() {
        toUndo.forEach(this::undo);
    }

    /** An answer that says what happened (as opposed to a lost connection, whose request may or may not have run). */
    private static boolean definite(int rc) {
        return rc == Code.OK.intValue() || rc == Code.NONODE.intValue() || rc == Code.NODEEXISTS.intValue()
                || rc == Code.BADVERSION.intValue();
    }

    /** Releases {@code ownerId}'s nodes in the background; forgets it once the server has answered for sure. */
    private void undo(String ownerId, String name) {
        try {
            ZooKeeperConnection.multi(connection.handle(), transactions.release(name, ownerId)).thenAccept(reply -> {
                if (definite(reply.rc())) {
                    toUndo.remove(ownerId, name);
                }
            });
        } catch (RuntimeException noConnectionYet) {
            // Kept for the next reconnection.
        }
    }
}
