package io.distlock.zookeeper;

import io.distlock.ListPage;
import io.distlock.LockInfo;
import io.distlock.spi.ListPages;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Who holds a lock, read from its node's record, for {@code inspect}, {@code list} and an extend
 * through a backend that did not take the lock. Each read sees every write committed before it
 * ({@link ZooKeeperConnection#freshData}).
 */
final class LockReads {
    /** Lock nodes {@link #list} reads in one pipelined round. */
    private static final int READ_ROUND = 1000;

    private final ZooKeeperConnection connection;
    private final ZooKeeperKeys keys;

    LockReads(ZooKeeperConnection connection, ZooKeeperKeys keys) {
        this.connection = connection;
        this.keys = keys;
    }

    /** The holder by its record, lapsed or not. */
    Optional<LockInfo> holder(String name, Deadline deadline) {
        Reply read = connection.await(connection.freshData(connection.handle(), keys.lockPath(name)), deadline,
                "inspect", name);
        return holder(name, read);
    }

    private Optional<LockInfo> holder(String name, Reply read) {
        if (read.rc() == Code.NONODE.intValue()) {
            return Optional.empty();
        }
        if (read.rc() != Code.OK.intValue()) {
            throw connection.failure("inspect", name, read.rc());
        }
        long token = read.okStat().getCzxid();
        return Optional.of(LockRecord.decode(read.data()).map(r -> r.info(name, token))
                .orElseGet(() -> new LockInfo(name, "(a node distlock did not write)", null, -1, null, null, null, token)));
    }

    /** A lease past its end by the reader's clock is reported free, as the SPI asks. */
    static boolean leaseRunning(LockInfo info) {
        return info.expiresAt() == null || info.expiresAt().toEpochMilli() > System.currentTimeMillis();
    }

    /**
     * One {@code getChildren} of the namespace's lock node, which ZooKeeper answers whole (every
     * lock's node name, never its data), then the matching nodes' data in name order, in pipelined
     * rounds of at most {@value #READ_ROUND} reads, each round within the timeout, until one lock
     * more than {@code limit} is found.
     */
    ListPage list(String prefix, int limit) {
        int wanted = ListPages.wanted(limit);
        ZooKeeper zk = connection.handle();
        Reply listed = connection.await(connection.freshLockNodes(zk), connection.deadline(), "list", prefix);
        if (listed.rc() != Code.OK.intValue()) {
            throw connection.failure("list", prefix, listed.rc());
        }
        Map<String, String> nodes = new TreeMap<>();
        for (String node : listed.okChildren()) {
            ZooKeeperKeys.lockName(node).filter(n -> n.startsWith(prefix)).ifPresent(n -> nodes.put(n, node));
        }
        List<LockInfo> found = new ArrayList<>();
        Iterator<Map.Entry<String, String>> next = nodes.entrySet().iterator();
        while (next.hasNext() && found.size() < wanted) {
            // One pipelined round of reads: send all, then collect.
            Map<String, CompletableFuture<Reply>> reads = new LinkedHashMap<>();
            while (next.hasNext() && reads.size() < Math.min(READ_ROUND, wanted - found.size())) {
                Map.Entry<String, String> node = next.next();
                reads.put(node.getKey(), ZooKeeperConnection.getData(zk, keys.lockPathOfNode(node.getValue()), null));
            }
            Deadline readDeadline = connection.deadline();
            reads.forEach((name, read) -> holder(name, connection.await(read, readDeadline, "list", prefix))
                    .filter(LockReads::leaseRunning).ifPresent(found::add));
        }
        return ListPages.of(found, limit);
    }
}
