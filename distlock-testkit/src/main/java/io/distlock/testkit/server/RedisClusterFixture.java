package io.distlock.testkit.server;

import io.distlock.testkit.Eventually;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A private Redis Cluster: three primaries with the slots split evenly, optionally a replica for
 * each, every node a redis-server on a free loopback port (and a free bus port) in its own
 * temporary directory, stopped by pid. A node keeps its {@code nodes.conf} across a restart, so it
 * comes back as the same cluster member (without data: no persistence).
 */
public final class RedisClusterFixture implements AutoCloseable {
    private static final int PRIMARIES = 3;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<Integer> busPorts = new ArrayList<>();
    private final FixtureClient client = new FixtureClient();

    /** Three primaries, no replicas, a node timeout of 5 s. */
    public RedisClusterFixture() {
        this(false, Duration.ofSeconds(5));
    }

    /**
     * Three primaries, each with one replica if {@code replicas}; a node not answering for
     * {@code nodeTimeout} is failed (and its replica promoted). Returns once every node sees every
     * other, every slot is served and every replica is linked to its primary.
     */
    public RedisClusterFixture(boolean replicas, Duration nodeTimeout) {
        try {
            int count = replicas ? 2 * PRIMARIES : PRIMARIES;
            for (int i = 0; i < count; i++) {
                // The bus port gets its own free port: the default, port + 10000, may be taken or too high.
                int busPort = ServerProcess.freePort();
                busPorts.add(busPort);
                nodes.add(RedisServers.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", String.valueOf(nodeTimeout.toMillis()),
                        "--cluster-port", String.valueOf(busPort), "--repl-diskless-sync-delay", "0"));
            }
            int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
            for (int i = 0; i < PRIMARIES; i++) {
                client.command(nodes.get(i).port(), "CLUSTER", "ADDSLOTSRANGE", ranges[i][0], ranges[i][1]);
            }
            for (int i = 1; i < count; i++) {
                client.command(nodes.get(i).port(), "CLUSTER", "MEET", "127.0.0.1", nodes.get(0).port(), busPorts.get(0));
            }
            for (ServerProcess node : nodes) {
                Eventually.until(node + " knowing all " + count + " nodes", Duration.ofSeconds(30),
                        () -> client.command(node.port(), "CLUSTER", "NODES").lines().count() == count);
            }
            for (int i = PRIMARIES; i < count; i++) {
                String primaryId = client.command(nodes.get(i - PRIMARIES).port(), "CLUSTER", "MYID");
                client.command(nodes.get(i).port(), "CLUSTER", "REPLICATE", primaryId);
            }
            awaitHealthy(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The nodes, primaries first, in the order they were started. */
    public List<ServerProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** Two of the nodes as seeds; Lettuce discovers the rest. */
    public String seedUri() {
        return TestBackend.REDIS.uri(nodes.subList(0, 2), TestBackend.parameters("cluster", "true"));
    }

    /** {@link #seedUri()} with a namespace. */
    public String uri(String namespace) {
        return seedUri() + "&namespace=" + namespace;
    }

    /** The primary that serves {@code key}'s slot, as the running nodes see it (all must agree). */
    public ServerProcess ownerOf(String key) {
        int slot = FixtureClient.slotOf(key);
        int port = -1;
        for (ServerProcess node : nodes) {
            if (!node.isRunning()) {
                continue;
            }
            int seen = ownerPortSeenBy(node, slot);
            if (seen < 0 || (port > 0 && seen != port)) {
                throw new IllegalStateException("the nodes do not agree on the owner of slot " + slot + ": " + describe());
            }
            port = seen;
        }
        int owner = port;
        return nodes.stream().filter(n -> n.port() == owner).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node serves slot " + slot + ": " + describe()));
    }

    /**
     * Fails the primary that serves {@code key} (SIGKILL, or SIGSTOP if {@code pause}), returns once
     * every other node names one of its replicas as the slot's owner, then brings it back (started
     * again with its {@code nodes.conf}, or resumed): it learns from the others that it lost its
     * slots and becomes the new owner's replica. Returns the new owner once the cluster is healthy.
     */
    public ServerProcess failOver(String key, boolean pause, Duration within) {
        int slot = FixtureClient.slotOf(key);
        ServerProcess old = ownerOf(key);
        if (pause) {
            old.freeze();
        } else {
            old.kill();
        }
        try {
            until("a replica serving slot " + slot + " instead of " + old, within, () -> {
                try {
                    return nodes.stream().filter(n -> n != old && n.isRunning())
                            .allMatch(n -> { int p = ownerPortSeenBy(n, slot); return p > 0 && p != old.port(); });
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        } finally {
            if (pause) {
                old.thaw();
            }
        }
        if (!pause) {
            old.start();
        }
        awaitHealthy(within);
        return ownerOf(key);
    }

    /** How many keys {@code node} holds. */
    public long keyCount(ServerProcess node) {
        return Long.parseLong(client.command(node.port(), "DBSIZE"));
    }

    /** Starts a killed node again (same port, directory and cluster identity) and returns once the cluster is healthy. */
    public void restart(ServerProcess node, Duration within) {
        node.start();
        awaitHealthy(within);
    }

    /**
     * Every running node sees a cluster in state ok, with every slot served by a primary all
     * nodes agree on, and every replica linked to its primary.
     */
    public void awaitHealthy(Duration within) {
        until("a healthy cluster", within, () -> {
            try {
                for (ServerProcess node : nodes) {
                    if (!client.command(node.port(), "CLUSTER", "INFO").contains("cluster_state:ok")) {
                        return false;
                    }
                    String nodesLine = client.command(node.port(), "CLUSTER", "NODES");
                    if (nodesLine.contains("fail") || nodesLine.contains("handshake")) {
                        return false;
                    }
                    if ("slave".equals(client.info(node.port(), "replication", "role"))
                            && !"up".equals(client.info(node.port(), "replication", "master_link_status"))) {
                        return false;
                    }
                }
                for (int slot : new int[]{0, 5461, 10923}) {
                    ownerOfSlot(slot);
                }
                return true;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    private void ownerOfSlot(int slot) {
        int port = -1;
        for (ServerProcess node : nodes) {
            int seen = ownerPortSeenBy(node, slot);
            if (seen < 0 || (port > 0 && seen != port)) {
                throw new IllegalStateException("slot " + slot + " not agreed");
            }
            port = seen;
        }
    }

    /** The port of the primary that {@code node}'s CLUSTER NODES says serves {@code slot}, or -1. */
    private int ownerPortSeenBy(ServerProcess node, int slot) {
        for (String line : client.command(node.port(), "CLUSTER", "NODES").lines().toList()) {
            // <id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slot ranges...>
            String[] fields = line.split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < fields.length; i++) {
                if (fields[i].startsWith("[")) {
                    continue;
                }
                String[] range = fields[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                if (slot >= from && slot <= to) {
                    String address = fields[1].substring(0, fields[1].indexOf('@'));
                    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                }
            }
        }
        return -1;
    }

    private void until(String what, Duration within, java.util.function.BooleanSupplier condition) {
        Eventually.until(what, within, condition, this::describe);
    }

    /** Each node's view, for failure messages. */
    private String describe() {
        StringBuilder text = new StringBuilder();
        for (ServerProcess node : nodes) {
            text.append("\n  ").append(node).append(":");
            try {
                client.command(node.port(), "CLUSTER", "NODES").lines().forEach(l -> text.append("\n    ").append(l));
            } catch (RuntimeException e) {
                text.append(' ').append(e);
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            RuntimeException failure = null;
            for (ServerProcess node : nodes) {
                try {
                    node.close();
                } catch (RuntimeException e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
