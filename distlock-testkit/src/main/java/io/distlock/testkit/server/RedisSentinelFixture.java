package io.distlock.testkit.server;

import io.distlock.testkit.Eventually;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A private Sentinel deployment: a primary, its replicas and the sentinels that watch them
 * ({@code redis-server <conf> --sentinel}, since the {@code redis-sentinel} link may not be
 * installed), each on a free loopback port in its own temporary directory, stopped by pid.
 *
 * <p>Built for failovers: the quorum is a majority of the sentinels, the data nodes replicate
 * without the default 5 s wait before a full sync, and the constructor returns only once every
 * sentinel knows every replica and every other sentinel, because a sentinel that has not yet
 * seen a replica (it asks the primary every 10 s) or its peers (they announce themselves every 2 s)
 * cannot fail over. {@link #failOver} kills or freezes the primary and brings it back as a replica.
 */
public final class RedisSentinelFixture implements AutoCloseable {
    public static final String MASTER_ID = "mymaster";
    /** Long enough that a sentinel never re-points a replica we pointed elsewhere (a proxy) within a run. */
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);

    private final List<DataNode> nodes = new ArrayList<>();
    private final List<ServerProcess> sentinels = new ArrayList<>();
    private final FixtureClient client = new FixtureClient();

    /** One primary watched by one sentinel: discovery, no failover. */
    public RedisSentinelFixture() {
        this(0, 1, Duration.ofSeconds(30));
    }

    /**
     * A primary with {@code replicas} replicas, watched by {@code sentinels} sentinels that take a
     * node for down after {@code downAfter} without an answer; returns once it can fail over.
     */
    public RedisSentinelFixture(int replicas, int sentinels, Duration downAfter) {
        try {
            DataNode primary = startNode(-1);
            for (int i = 0; i < replicas; i++) {
                DataNode replica = startNode(primary.process.port());
                awaitReplicating(replica.process, primary.process.port(), Duration.ofSeconds(30));
            }
            int quorum = sentinels / 2 + 1;
            for (int i = 0; i < sentinels; i++) {
                this.sentinels.add(startSentinel(primary.process.port(), quorum, downAfter));
            }
            awaitSentinelsReady(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** A {@code redis-sentinel://} URI naming every sentinel: Lettuce asks them for the primary. */
    public String uri(String parameters) {
        return "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","))
                + "?sentinelMasterId=" + MASTER_ID + (parameters.isEmpty() ? "" : "&" + parameters);
    }

    /** The data node every sentinel names as primary now. */
    public ServerProcess primary() {
        int port = agreedPrimaryPort();
        return nodes.stream().map(n -> n.process).filter(p -> p.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("the sentinels do not agree on a primary: " + describe()));
    }

    /** The data nodes, primary and replicas, in the order they were started. */
    public List<ServerProcess> dataNodes() {
        return nodes.stream().map(n -> n.process).toList();
    }

    public List<ServerProcess> sentinels() {
        return List.copyOf(sentinels);
    }

    /** How the primary fails. */
    public enum Failure { KILLED, PAUSED }

    /**
     * Makes the sentinels fail over: the primary is SIGKILLed, or SIGSTOPped, and this returns once
     * every sentinel names a replica in its place (so every client asking any of them is sent
     * there); then the old primary comes back as a replica, started again replicating from the new
     * primary or, if paused, resumed and turned into a replica by the sentinels themselves (its
     * clients are disconnected by them then). Returns once every sentinel sees it as a healthy
     * replica again, so the next failover can promote it. Each wait is bounded by {@code within}.
     */
    public ServerProcess failOver(Failure failure, Duration within) {
        ServerProcess old = primary();
        DataNode node = node(old);
        if (failure == Failure.KILLED) {
            old.kill();
        } else {
            old.freeze();
        }
        int[] promoted = {-1};
        try {
            until("every sentinel names a new primary instead of " + old, within, () -> {
                promoted[0] = agreedPrimaryPortOrMinusOne();
                return promoted[0] > 0 && promoted[0] != old.port();
            });
        } finally {
            if (failure == Failure.PAUSED) {
                old.thaw();
            }
        }
        if (failure == Failure.KILLED) {
            node.replicaOf = promoted[0];
            old.start();
        }
        until(old + " replicating from the primary the sentinels name", within,
                () -> replicates(old, agreedPrimaryPortOrMinusOne()));
        awaitSentinelsReady(within);
        // Normally the promoted replica; another node if the sentinels failed over again meanwhile
        // (their events() show it).
        return primary();
    }

    /**
     * Points {@code replica} at {@code host:port} (a proxy in front of its primary) with
     * {@code REPLICAOF}, and returns once its link is up. The sentinels leave it so for a minute
     * (their failover timeout) before they point it back.
     */
    public void replicateThrough(ServerProcess replica, int port, Duration within) {
        client.command(replica.port(), "REPLICAOF", "127.0.0.1", port);
        awaitReplicating(replica, port, within);
    }

    /** The replication offset of a data node: what a primary has sent, or what a replica has received. */
    public long replicationOffset(ServerProcess node) {
        String role = client.info(node.port(), "replication", "role");
        return Long.parseLong(client.info(node.port(), "replication",
                "master".equals(role) ? "master_repl_offset" : "slave_repl_offset"));
    }

    /**
     * What the sentinels logged about failures and failovers (down, up, leader, switch-master,
     * demotions, tilt), each line once, oldest first per sentinel: to tell the failovers a test
     * caused from any it did not.
     */
    public List<String> events() {
        java.util.regex.Pattern wanted = java.util.regex.Pattern.compile(
                "[+-](sdown|odown|tilt|switch-master|elected-leader|convert-to-slave|fix-slave-config|failover-end|failover-abort\\S*) ");
        List<String> events = new ArrayList<>();
        for (ServerProcess sentinel : sentinels) {
            sentinel.output().lines().filter(l -> wanted.matcher(l).find())
                    .forEach(l -> events.add(":" + sentinel.port() + " " + l));
        }
        return events;
    }

    private DataNode startNode(int replicaOf) {
        DataNode node = new DataNode();
        node.replicaOf = replicaOf;
        node.process = RedisServers.builder(() -> node.replicaOf < 0
                ? List.of("--repl-diskless-sync-delay", "0")
                : List.of("--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1", String.valueOf(node.replicaOf)))
                .build();
        nodes.add(node);
        node.process.start();
        return node;
    }

    private DataNode node(ServerProcess process) {
        return nodes.stream().filter(n -> n.process == process).findFirst().orElseThrow();
    }

    private void awaitReplicating(ServerProcess replica, int primaryPort, Duration within) {
        Eventually.until(replica + " replicating from port " + primaryPort, within, () -> replicates(replica, primaryPort));
    }

    /** Whether {@code replica} is a replica of the node on {@code primaryPort} with its link up. */
    private boolean replicates(ServerProcess replica, int primaryPort) {
        try {
            return primaryPort > 0 && "slave".equals(client.info(replica.port(), "replication", "role"))
                    && String.valueOf(primaryPort).equals(client.info(replica.port(), "replication", "master_port"))
                    && "up".equals(client.info(replica.port(), "replication", "master_link_status"));
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private ServerProcess startSentinel(int primaryPort, int quorum, Duration downAfter) {
        return ServerProcess.builder("redis-server")
                .installHint(RedisServers.INSTALL_HINT)
                .arguments((port, dir) -> List.of(writeConfig(port, dir, primaryPort, quorum, downAfter).toString(),
                        "--sentinel"))
                .readiness((host, port) -> primaryPort == masterPortReportedBy(host, port))
                .start();
    }

    private static Path writeConfig(int port, Path dir, int primaryPort, int quorum, Duration downAfter) {
        // Sentinel rewrites its configuration file, so it lives in the sentinel's own directory.
        Path config = dir.resolve("sentinel.conf");
        try {
            Files.writeString(config, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "daemonize no",
                    "dir " + dir,
                    "sentinel monitor " + MASTER_ID + " 127.0.0.1 " + primaryPort + " " + quorum,
                    "sentinel down-after-milliseconds " + MASTER_ID + " " + downAfter.toMillis(),
                    "sentinel failover-timeout " + MASTER_ID + " " + FAILOVER_TIMEOUT.toMillis(),
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + config, e);
        }
        return config;
    }

    /**
     * Every sentinel names the same primary, counts every other data node as a replica that is up
     * and linked to it, and knows every other sentinel: a failover is possible.
     */
    private void awaitSentinelsReady(Duration within) {
        int replicas = nodes.size() - 1;
        until("every sentinel agreeing on a primary with " + replicas + " healthy replica(s) and "
                + (sentinels.size() - 1) + " other sentinel(s)", within, () -> {
            try {
                int primaryPort = agreedPrimaryPortOrMinusOne();
                if (primaryPort < 0) {
                    return false;
                }
                for (ServerProcess sentinel : sentinels) {
                    Map<String, String> master = client.sentinelPrimary(sentinel.port(), MASTER_ID);
                    if (!"master".equals(master.get("flags"))
                            || Integer.parseInt(master.get("num-other-sentinels")) != sentinels.size() - 1) {
                        return false;
                    }
                    long healthy = client.sentinelReplicas(sentinel.port(), MASTER_ID).stream()
                            .filter(r -> "slave".equals(r.get("flags")) && "ok".equals(r.get("master-link-status"))
                                    && String.valueOf(primaryPort).equals(r.get("master-port")))
                            .count();
                    if (healthy != replicas) {
                        return false;
                    }
                }
                return true;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    private int agreedPrimaryPort() {
        int port = agreedPrimaryPortOrMinusOne();
        if (port < 0) {
            throw new IllegalStateException("the sentinels do not agree on a primary: " + describe());
        }
        return port;
    }

    /** The primary's port if every sentinel names the same one, else -1. */
    private int agreedPrimaryPortOrMinusOne() {
        int agreed = -1;
        for (ServerProcess sentinel : sentinels) {
            int named;
            try {
                named = client.primaryPortNamedBy(sentinel.port(), MASTER_ID);
            } catch (RuntimeException unreachable) {
                return -1;
            }
            if (named < 0 || (agreed > 0 && named != agreed)) {
                return -1;
            }
            agreed = named;
        }
        return agreed;
    }

    private void until(String what, Duration within, java.util.function.BooleanSupplier condition) {
        Eventually.until(what, within, condition, this::describe);
    }

    /** What each sentinel says, for failure messages. */
    private String describe() {
        StringBuilder text = new StringBuilder();
        for (ServerProcess sentinel : sentinels) {
            try {
                text.append("\n  sentinel ").append(sentinel.port()).append(": ")
                        .append(client.sentinelPrimary(sentinel.port(), MASTER_ID)).append(" replicas ")
                        .append(client.sentinelReplicas(sentinel.port(), MASTER_ID));
            } catch (RuntimeException e) {
                text.append("\n  sentinel ").append(sentinel.port()).append(": ").append(e);
            }
        }
        return text.toString();
    }

    /** The port from {@code SENTINEL get-master-addr-by-name}, or -1 while the sentinel does not know it. */
    private static int masterPortReportedBy(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write(("SENTINEL get-master-addr-by-name " + MASTER_ID + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            // *2 $9 127.0.0.1 $5 port: the fifth line is the port; anything else means not ready.
            String header = readLine(in);
            if (!header.equals("*2")) {
                return -1;
            }
            readLine(in);
            readLine(in);
            readLine(in);
            return Integer.parseInt(readLine(in));
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    /** Sentinels first, so none of them fails over while the data nodes stop; each by its pid, each whatever the others do. */
    @Override
    public void close() {
        List<Runnable> steps = new ArrayList<>();
        steps.add(client::close);
        sentinels.forEach(s -> steps.add(s::close));
        nodes.forEach(n -> steps.add(n.process::close));
        RuntimeException failure = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A data node and whose replica it starts as (-1: a primary), read at every start. */
    private static final class DataNode {
        volatile int replicaOf;
        ServerProcess process;
    }
}
