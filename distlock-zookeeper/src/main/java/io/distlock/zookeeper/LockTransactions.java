package io.distlock.zookeeper;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * The one {@code multi} each operation sends: a lock node and its owner's marker are created and
 * deleted together, and the marker's presence is what makes a release or an extend exact.
 */
final class LockTransactions {
    /** In {@link #create}'s answer, the result whose Stat holds the new node's czxid, the token. */
    static final int CREATED_STAT = 1;
    /** In {@link #takeOver}'s answer, the same. */
    static final int TAKEN_STAT = 3;
    /** In {@link #forceRelease}'s answer, the index of the marker's delete. */
    static final int MARKER_DELETE = 1;

    private final ZooKeeperKeys keys;

    LockTransactions(ZooKeeperKeys keys) {
        this.keys = keys;
    }

    /**
     * The lock node, ephemeral, and its owner's marker. The setData returns the node's Stat, hence
     * its czxid, the token: servers before 3.9 answer a create inside a multi with its path only.
     */
    List<Op> create(String name, String ownerId, byte[] record) {
        String lockPath = keys.lockPath(name);
        return List.of(Op.create(lockPath, record, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL),
                Op.setData(lockPath, record, 0),
                Op.create(keys.ownerPath(ownerId, name), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL));
    }

    /**
     * Deletes the exact node seen (its version, and its owner's marker, which no later holder can
     * have) and creates ours, atomically: if anything changed since the read, nothing happens.
     */
    List<Op> takeOver(String name, Stat seen, String holderOwnerId, List<Op> create) {
        List<Op> ops = new ArrayList<>(4);
        ops.add(Op.delete(keys.lockPath(name), seen.getVersion()));
        ops.add(Op.delete(keys.ownerPath(holderOwnerId, name), -1));
        ops.addAll(create);
        return ops;
    }

    /** The marker first: without it the whole transaction fails and the lock node stays untouched. */
    List<Op> release(String name, String ownerId) {
        return List.of(Op.delete(keys.ownerPath(ownerId, name), -1), Op.delete(keys.lockPath(name), -1));
    }

    /** Rewrites the record, only while the owner's marker is there. */
    List<Op> extend(String name, String ownerId, byte[] record) {
        return List.of(Op.check(keys.ownerPath(ownerId, name), -1), Op.setData(keys.lockPath(name), record, -1));
    }

    /** Deletes that version of the lock node and, given its owner ({@code holderOwnerId} not null), the owner's marker. */
    List<Op> forceRelease(String name, int version, @Nullable String holderOwnerId) {
        List<Op> ops = new ArrayList<>(2);
        ops.add(Op.delete(keys.lockPath(name), version));
        if (holderOwnerId != null) {
            ops.add(Op.delete(keys.ownerPath(holderOwnerId, name), -1));
        }
        return ops;
    }
}
