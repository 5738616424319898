package io.distlock.redis;

import io.distlock.testkit.Eventually;

import io.distlock.testkit.server.ServerProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Three private redis-server primaries forming one Redis Cluster, the slots split evenly. */
final class RedisClusterFixture implements AutoCloseable {
    final List<ServerProcess> nodes = new ArrayList<>();
    private final List<Integer> busPorts = new ArrayList<>();

    RedisClusterFixture() {
        try {
            for (int i = 0; i < 3; i++) {
                // The bus port gets its own free port: the default, port + 10000, may be taken or too high.
                int busPort = ServerProcess.freePort();
                busPorts.add(busPort);
                nodes.add(RedisServers.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "5000", "--cluster-port", String.valueOf(busPort)));
            }
            int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
            for (int i = 0; i < nodes.size(); i++) {
                try (RawRedis raw = new RawRedis(nodes.get(i).port())) {
                    raw.sync().clusterAddSlotsRange(io.lettuce.core.Range.create(ranges[i][0], ranges[i][1]));
                    if (i > 0) {
                        // CLUSTER MEET ip port bus-port: Lettuce's clusterMeet has no bus-port argument.
                        raw.sync().dispatch(io.lettuce.core.protocol.CommandType.CLUSTER,
                                new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                        .add("MEET").add("127.0.0.1").add(nodes.get(0).port()).add(busPorts.get(0)));
                    }
                }
            }
            for (ServerProcess node : nodes) {
                try (RawRedis raw = new RawRedis(node.port())) {
                    Eventually.until("cluster state ok on " + node, Duration.ofSeconds(30),
                            () -> raw.sync().clusterInfo().contains("cluster_state:ok")
                                    && raw.sync().clusterNodes().lines().count() == 3);
                }
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Two of the three nodes as seeds: Lettuce discovers the third. */
    /** Two of the nodes as seeds; Lettuce discovers the rest. */
    String seedUri() {
        return "redis://" + nodes.subList(0, 2).stream().map(n -> "127.0.0.1:" + n.port())
                .collect(Collectors.joining(",")) + "?cluster=true";
    }

    String uri(String namespace) {
        return seedUri() + "&namespace=" + namespace;
    }

    @Override
    public void close() {
        nodes.forEach(ServerProcess::close);
    }
}
