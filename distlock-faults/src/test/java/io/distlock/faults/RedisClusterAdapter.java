package io.distlock.faults;

import io.distlock.testkit.server.RedisClusterFixture;
import io.distlock.testkit.server.ServerProcess;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * A private Redis Cluster of three primaries, from distlock-redis's {@link RedisClusterFixture};
 * with a replica each, or without. The server faults hit the primary that serves the lock's slot.
 * Without replicas a killed primary comes back as itself, empty; with replicas the faults are
 * failovers (a node fails after 2 s without an answer). No proxy faults: the cluster client
 * follows the nodes' own addresses, which a proxy in front of one seed would not change.
 */
final class RedisClusterAdapter implements BackendAdapter {
    static final Set<Fault> FAULTS = EnumSet.of(Fault.NONE, Fault.SERVER_RESTART, Fault.SERVER_PAUSE);
    static final Set<Fault> REPLICATED_FAULTS = EnumSet.of(Fault.NONE, Fault.FAILOVER, Fault.FAILOVER_PAUSED);
    /** The lock's key as distlock-redis lays it out (RedisKeys: namespace, '/', "lock:", name). */
    static final String LOCK_KEY = "distlock/lock:" + WorkloadRunner.LOCK_NAME;
    private static final Duration RESTART_PATIENCE = Duration.ofSeconds(60);

    private final boolean replicas;
    private final RedisClusterFixture cluster;
    private ServerProcess hit;

    RedisClusterAdapter(boolean replicas) {
        this.replicas = replicas;
        this.cluster = new RedisClusterFixture(replicas, replicas ? Duration.ofSeconds(2) : Duration.ofSeconds(5));
    }

    @Override
    public String name() {
        return replicas ? "redis-cluster (3 primaries, 3 replicas)" : "redis-cluster (3 primaries)";
    }

    @Override
    public String clientUri(Path runDirectory, InetSocketAddress via) {
        return cluster.seedUri() + "&" + ServerAdapter.TIMEOUTS_QUERY;
    }

    /** The primary serving the lock, checked to hold the lock's keys so a changed key layout cannot miss it. */
    private ServerProcess owner() {
        ServerProcess owner = cluster.ownerOf(LOCK_KEY);
        if (cluster.keyCount(owner) == 0) {
            throw new IllegalStateException(owner + " serves the slot of " + LOCK_KEY + " but holds no key: "
                    + "has distlock-redis's key layout changed?");
        }
        return owner;
    }

    @Override
    public InetSocketAddress serverAddress() {
        ServerProcess owner = cluster.ownerOf(LOCK_KEY);
        return new InetSocketAddress(owner.host(), owner.port());
    }

    @Override
    public void killServer() {
        hit = owner();
        hit.kill();
    }

    @Override
    public void startServer() {
        cluster.restart(hit, RESTART_PATIENCE);
    }

    @Override
    public void pauseServer() {
        hit = owner();
        hit.freeze();
    }

    @Override
    public void resumeServer() {
        hit.thaw();
    }

    @Override
    public String failOver(boolean pause, Duration within) {
        ServerProcess old = owner();
        ServerProcess promoted = cluster.failOver(LOCK_KEY, pause, within);
        return "slot owner :" + old.port() + (pause ? " paused" : " killed") + ", replica :" + promoted.port()
                + " promoted, :" + old.port() + " back as its replica";
    }

    @Override
    public Set<Fault> faults() {
        return replicas ? REPLICATED_FAULTS : FAULTS;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
