package io.distlock.faults;

import io.distlock.testkit.server.RedisSentinelFixture;
import io.distlock.testkit.server.ServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Redis behind Sentinel: a primary, one replica and three sentinels (quorum 2, a node down after
 * 3 s without an answer), from distlock-redis's {@link RedisSentinelFixture}. Clients know only the
 * sentinels' addresses. The faults are failovers; held-back replication runs the replica's link
 * through a {@link TcpProxy} that stops forwarding.
 */
final class RedisSentinelAdapter implements BackendAdapter {
    static final Set<Fault> FAULTS = EnumSet.of(Fault.NONE, Fault.FAILOVER, Fault.FAILOVER_UNREPLICATED, Fault.FAILOVER_PAUSED);
    /**
     * Not less: at 1 s, on the loaded 2-core machine, a sentinel once took the primary it had just
     * promoted for down (its fresh link not yet answered within the second) and failed over again,
     * to the node restarted a second before.
     */
    static final Duration DOWN_AFTER = Duration.ofSeconds(3);
    private final RedisSentinelFixture sentinels = new RedisSentinelFixture(1, 3, DOWN_AFTER);
    private TcpProxy replicationLink;

    @Override
    public String name() {
        return "redis-sentinel";
    }

    @Override
    public String clientUri(Path runDirectory, InetSocketAddress via) {
        return sentinels.uri(ServerAdapter.TIMEOUTS_QUERY);
    }

    @Override
    public String failOver(boolean pause, Duration within) {
        ServerProcess old = sentinels.primary();
        try {
            ServerProcess promoted = sentinels.failOver(pause ? RedisSentinelFixture.Failure.PAUSED
                    : RedisSentinelFixture.Failure.KILLED, within);
            return "primary :" + old.port() + (pause ? " paused" : " killed") + ", replica :" + promoted.port()
                    + " promoted, :" + old.port() + " back as its replica";
        } finally {
            dropReplicationLink();
        }
    }

    @Override
    public void holdReplication(Duration within) {
        ServerProcess primary = sentinels.primary();
        ServerProcess replica = replica(primary);
        try {
            replicationLink = new TcpProxy(new InetSocketAddress(primary.host(), primary.port()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sentinels.replicateThrough(replica, replicationLink.address().getPort(), within);
        replicationLink.stall();
    }

    @Override
    public long replicationLag() {
        ServerProcess primary = sentinels.primary();
        return sentinels.replicationOffset(primary) - sentinels.replicationOffset(replica(primary));
    }

    private ServerProcess replica(ServerProcess primary) {
        return sentinels.dataNodes().stream().filter(n -> n != primary).findFirst().orElseThrow();
    }

    /** Cut, not healed: what it held back never reaches the replica. */
    private void dropReplicationLink() {
        if (replicationLink != null) {
            replicationLink.cut();
            replicationLink.close();
            replicationLink = null;
        }
    }

    @Override
    public Set<Fault> faults() {
        return FAULTS;
    }

    @Override
    public void close() {
        try {
            dropReplicationLink();
            // In the run's output: the failovers the sentinels made, so one the suite did not cause shows.
            System.out.println("sentinel events:\n  " + String.join("\n  ", sentinels.events()));
        } finally {
            sentinels.close();
        }
    }
}
