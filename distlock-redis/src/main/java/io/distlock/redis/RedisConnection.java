package io.distlock.redis;

import io.distlock.LockBackendException;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.Durations;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One backend's Lettuce client and its two connections: commands (shared by every thread,
 * pipelined by Lettuce) and pub/sub. Opening connects both within {@code connectTimeout + timeout}
 * or fails with {@link LockBackendException} naming the masked URI and the server's answer.
 */
final class RedisConnection implements AutoCloseable {
    private static final String LOST_HANDSHAKE_CAUSE = "RedisHandshakeHandler not registered";

    /**
     * Tries at most this often when Lettuce loses the server's answer to a failed handshake. It
     * loses it in about 2 % of attempts, measured (1,500 connects with a wrong password, RESP2 and
     * RESP3 alike), and the losses come in runs when the machine is busy: two retries once lost all
     * three in a CI run. A wrong password answers in a few milliseconds, so ten cost little, and the
     * connect deadline bounds them all.
     */
    private static final int HANDSHAKE_RETRIES = 10;

    private final RedisSettings settings;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    final RedisClusterAsyncCommands<String, String> commands;
    final StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    RedisConnection(RedisSettings settings) {
        this.settings = settings;
        this.resources = SharedClientResources.acquire();
        AbstractRedisClient created = null;
        StatefulConnection<String, String> data = null;
        try {
            long deadline = Durations.deadlineNanos(System.nanoTime(), settings.connectTimeout().plus(settings.commandTimeout()));
            if (settings.cluster()) {
                RedisClusterClient clusterClient = RedisClusterClient.create(resources, settings.redisUris());
                created = clusterClient;
                clusterClient.setOptions(clusterOptions());
                // The asynchronous connect needs the topology first.
                connect(() -> clusterClient.refreshPartitionsAsync().toCompletableFuture(), deadline);
                StatefulRedisClusterConnection<String, String> clusterConnection =
                        connect(() -> clusterClient.connectAsync(StringCodec.UTF8), deadline);
                data = clusterConnection;
                this.commands = clusterConnection.async();
                this.pubSub = connect(() -> clusterClient.connectPubSubAsync(StringCodec.UTF8), deadline);
            } else {
                RedisClient redisClient = new AsyncApiRedisClient(resources);
                created = redisClient;
                redisClient.setOptions(options(ClientOptions.builder()).build());
                StatefulRedisConnection<String, String> standalone =
                        connect(() -> redisClient.connectAsync(StringCodec.UTF8, settings.redisUris().get(0)), deadline);
                data = standalone;
                this.commands = standalone.async();
                this.pubSub = connect(() -> redisClient.connectPubSubAsync(StringCodec.UTF8, settings.redisUris().get(0)),
                        deadline);
            }
        } catch (RuntimeException failure) {
            if (data != null) {
                data.closeAsync();
            }
            if (created != null) {
                created.shutdownAsync(0, 2, TimeUnit.SECONDS);
            }
            SharedClientResources.release();
            throw failure;
        }
        this.client = created;
        this.connection = data;
    }

    private ClientOptions.Builder options(ClientOptions.Builder builder) {
        return builder
                .autoReconnect(true)
                // Fail at once while disconnected instead of queueing: the engine owns waiting and
                // retrying, and a queued acquire could take a lock after its caller gave up.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // Nor replay in-flight commands after a reconnect, for the same reason.
                .replayFilter(command -> true)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()));
    }

    // Every adaptive refresh trigger: Lettuce 6 (which an application's Spring Boot may bring)
    // enables none by default, so it must be asked; Lettuce 7 enables them all by default and
    // deprecates asking, which is harmless there.
    @SuppressWarnings("deprecation")
    private ClusterClientOptions clusterOptions() {
        ClusterClientOptions.Builder builder = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build());
        options(builder);
        return builder.build();
    }

    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.lettuce.core.RedisCommandTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private <T> T connect(Supplier<Future<T>> attempt, long deadline) {
        return connect(attempt, deadline, HANDSHAKE_RETRIES);
    }

    private <T> T connect(Supplier<Future<T>> attempt, long deadline, int retries) {
        Future<T> future = attempt.get();
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeWhenDone(future);
            throw new LockBackendException("Interrupted while connecting to " + settings.description(), e);
        } catch (TimeoutException e) {
            closeWhenDone(future);
            throw new LockBackendException("Cannot connect to " + settings.description() + ": no answer within "
                    + settings.connectTimeout().plus(settings.commandTimeout()) + " (connectTimeout "
                    + settings.connectTimeout() + " + timeout " + settings.commandTimeout() + ")", e);
        } catch (ExecutionException e) {
            boolean lostAnswer = causes(e.getCause()).contains(LOST_HANDSHAKE_CAUSE);
            if (retries > 0 && lostAnswer && deadline - System.nanoTime() > 0) {
                // Lettuce loses the server's answer (WRONGPASS, NOAUTH...) when the failed handshake
                // closes the channel before Lettuce looks at it; another try, within the same
                // deadline, reports the real cause.
                return connect(attempt, deadline, retries - 1);
            }
            String advice = ConnectAdvice.of(e.getCause());
            String message = "Cannot connect to " + settings.description() + ": " + (advice != null ? advice
                    : (lostAnswer ? "the connection closed during the handshake, which is what a wrong user or "
                    + "password, or a server that does not speak the Redis protocol, looks like here; " : "")
                    + causes(e.getCause()));
            if (timedOut(e.getCause())) {
                // Lettuce's own handshake timeout: no answer yet, which another try may get (a cold
                // JVM on a loaded host), unlike a refusal; the command line retries it within --wait.
                throw new ConnectionUnavailableException(message, e.getCause());
            }
            throw new LockBackendException(message, e.getCause());
        }
    }

    /** A connection that arrives after its caller gave up is closed, not leaked. */
    private static void closeWhenDone(Future<?> future) {
        if (future instanceof CompletionStage<?> stage) {
            stage.thenAccept(late -> {
                if (late instanceof StatefulConnection<?, ?> c) {
                    c.closeAsync();
                }
            });
        }
    }

    /**
     * From now on, {@code reconnected} runs (on Lettuce's event thread) whenever the command
     * connection comes back, and {@code dropped} gets the reason whenever it drops.
     */
    void watch(Runnable reconnected, Consumer<LockBackendException> dropped) {
        client.addListener(new Watcher(reconnected, dropped));
    }

    /** The connection to the node that owns {@code key}'s slot (WAIT must follow the write there). */
    @SuppressWarnings("unchecked")
    RedisClusterAsyncCommands<String, String> commandsFor(String key) {
        if (!settings.cluster()) {
            return commands;
        }
        StatefulRedisClusterConnection<String, String> cluster = (StatefulRedisClusterConnection<String, String>) connection;
        RedisClusterNode node = cluster.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
        if (node == null) {
            throw new LockBackendException("No node of " + settings.description() + " serves the slot of lock key '"
                    + key + "'; the cluster is not fully covered");
        }
        return cluster.getConnection(node.getNodeId()).async();
    }

    /**
     * Closes once, however many threads call it: the shared event loops are released exactly once
     * (a second release could shut them down under another backend), and a failing step does not
     * keep the next ones from freeing their connection or client.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        try {
            quietly(pubSub::close);
            quietly(connection::close);
            quietly(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        } finally {
            SharedClientResources.release();
        }
    }

    private static void quietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            // Closing must not fail; what this step held is gone or unreachable either way.
        }
    }

    /**
     * Whether a command failed for want of a connection rather than by the server's answer: Lettuce
     * refuses commands while disconnected ("Currently not connected", since commands are rejected,
     * not buffered) and fails those caught on a connection that closed; its connection events can
     * reach the backend later than such a failure does.
     */
    static boolean lostConnection(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof io.lettuce.core.RedisConnectionException || t instanceof java.nio.channels.ClosedChannelException
                    || message.startsWith("Currently not connected") || message.startsWith("Connection closed")
                    || message.contains("Connection reset")) {
                return true;
            }
        }
        return false;
    }

    /** The distinct messages of a cause chain, outermost first: Lettuce wraps the telling one deep inside. */
    static String causes(Throwable failure) {
        StringBuilder text = new StringBuilder();
        Set<String> seen = new HashSet<>();
        for (Throwable t = failure; t != null && seen.size() < 6; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName()
                    : t.getClass().getSimpleName() + ": " + t.getMessage();
            if (seen.add(message)) {
                text.append(text.length() == 0 ? "" : "; caused by ").append(message);
            }
        }
        return text.toString();
    }

    /**
     * A dropped command connection means every lock taken through it may be lost (contract 6.4).
     * Connections we closed ourselves, Sentinel look-ups and topology probes end closed and are
     * not losses; only an open connection that went inactive is one.
     */
    private final class Watcher implements RedisConnectionStateListener {
        private final Runnable reconnected;
        private final Consumer<LockBackendException> dropped;
        private volatile Throwable lastFailure;

        Watcher(Runnable reconnected, Consumer<LockBackendException> dropped) {
            this.reconnected = reconnected;
            this.dropped = dropped;
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            if (!closed && handler != pubSub) {
                reconnected.run();
            }
        }

        @Override
        public void onRedisExceptionCaught(RedisChannelHandler<?, ?> handler, Throwable cause) {
            lastFailure = cause;
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            if (closed || handler.isClosed() || handler == pubSub) {
                return;
            }
            Throwable cause = lastFailure;
            lastFailure = null;
            dropped.accept(new LockBackendException("The connection to " + settings.description()
                    + " dropped" + (cause == null ? "" : ": " + causes(cause)), cause));
        }
    }
}
