package io.distlock.zookeeper;

import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A plain ZooKeeper handle for tests: to look at the nodes. */
final class RawZooKeeper {
    private RawZooKeeper() {
    }

    /** A new session, connected. */
    static ZooKeeper connect(String hosts) {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        try {
            ZooKeeper zk = new ZooKeeper(hosts, 10_000, watcher);
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
