package io.distlock.zookeeper;

import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A plain ZooKeeper handle for tests: to look at the nodes, or to take over a session from outside. */
final class RawZooKeeper {
    private RawZooKeeper() {
    }

    /** A new session, connected. */
    static ZooKeeper connect(String hosts) {
        return connect(hosts, 0, null);
    }

    /** A handle on an existing session ({@code sessionId} and its password), or a new one when the id is 0. */
    static ZooKeeper connect(String hosts, long sessionId, byte[] password) {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        try {
            ZooKeeper zk = sessionId == 0 ? new ZooKeeper(hosts, 10_000, watcher)
                    : new ZooKeeper(hosts, 10_000, watcher, sessionId, password);
            if (!connected.await(20, TimeUnit.SECONDS)) {
                zk.close();
                throw new IllegalStateException("no ZooKeeper session with " + hosts + " within 20 s");
            }
            return zk;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
