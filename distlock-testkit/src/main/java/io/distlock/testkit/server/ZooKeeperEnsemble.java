package io.distlock.testkit.server;

import io.distlock.testkit.Eventually;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A private ensemble of ZooKeeper servers on loopback ports, each its own process (see
 * {@link ZooKeeperServers}), for fault tests: kill the leader, restart everyone.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
    private final List<ServerProcess> members = new ArrayList<>();

    private ZooKeeperEnsemble() {
    }

    /** {@code size} servers, started, with a leader elected. */
    public static ZooKeeperEnsemble start(int size) {
        List<Integer> clientPorts = new ArrayList<>();
        List<String> serverLines = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            clientPorts.add(ServerProcess.freePort());
            serverLines.add("server." + id + "=127.0.0.1:" + ServerProcess.freePort() + ":" + ServerProcess.freePort());
        }
        ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble();
        try {
            for (int id = 1; id <= size; id++) {
                ensemble.members.add(ZooKeeperServers.builder(new ZooKeeperServers.Quorum(id, serverLines))
                        .port(clientPorts.get(id - 1)).build());
            }
            for (ServerProcess member : ensemble.members) {
                member.start();
            }
            ensemble.awaitQuorum(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            ensemble.close();
            throw e;
        }
        return ensemble;
    }

    /** {@code 127.0.0.1:p1,127.0.0.1:p2,...}: every member, for a URI. */
    public String hosts() {
        return members.stream().map(m -> m.host() + ":" + m.port()).collect(Collectors.joining(","));
    }

    public List<ServerProcess> members() {
        return members;
    }

    /** The member that leads now. */
    public ServerProcess leader() {
        for (ServerProcess member : members) {
            if (member.isRunning() && "leader".equals(ZooKeeperServers.mode(member))) {
                return member;
            }
        }
        throw new IllegalStateException("no member of the ensemble leads now");
    }

    /** Waits until every running member serves, as leader or follower, with exactly one leader. */
    public void awaitQuorum(Duration within) {
        Eventually.until("a leader and followers among the running members " + hosts(), within, () -> {
            int leaders = 0;
            for (ServerProcess member : members) {
                if (!member.isRunning()) {
                    continue;
                }
                String mode = ZooKeeperServers.mode(member);
                if (mode == null) {
                    return false;
                }
                leaders += mode.equals("leader") ? 1 : 0;
            }
            return leaders == 1;
        });
    }

    /** Resets every client connection of every member (not the quorum's own), as {@link ServerProcess#dropConnections()}. */
    public int dropConnections() {
        return members.stream().mapToInt(ServerProcess::dropConnections).sum();
    }

    /** Stops every member, then starts them all again (same ports, same data). */
    public void restartAll() {
        members.forEach(ServerProcess::stop);
        members.forEach(ServerProcess::start);
        awaitQuorum(Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        for (ServerProcess member : members) {
            try {
                member.close();
            } catch (RuntimeException ignored) {
                // Close the others anyway.
            }
        }
    }
}
