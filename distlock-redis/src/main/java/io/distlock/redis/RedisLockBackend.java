package io.distlock.redis;

import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.HandOverResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.LockBackend;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
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
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Locks in Redis (a single node, Sentinel, or Cluster) through Lettuce.
 *
 * <pre>{@code
 * LockManager locks = LockManager.builder(RedisLockBackend.open("redis://:secret@redis.internal:6379/0")).build();
 * }</pre>
 *
 * <p>Every operation is one round trip: a Lua script run by SHA (see {@link RedisScript}). One
 * backend keeps one command connection, shared by all threads (Lettuce pipelines them), and one
 * pub/sub connection subscribed to two channels, the namespace's (releases announced to everyone)
 * and this backend's own (its turns), which wake the engine's waiters for any name. A release while
 * another thread of the same manager waits is a hand-over ({@link #handOver}): the same script
 * passes the lock on. Key layout and the cluster token counters: {@link RedisKeys}.
 *
 * <p>URI: {@code redis://[[user]:password@]host[:port][/database][?parameters]}, {@code rediss://}
 * for TLS, {@code redis-sentinel://[password@]host[:port][,host2[:port2]][/database]?sentinelMasterId=m}
 * for Sentinel, and {@code redis://host1:port1,host2:port2?cluster=true} for Cluster. Parameters:
 * {@code namespace} (default {@code distlock}), {@code connectTimeout} and {@code timeout} (the
 * command timeout; both default 2s; write 500ms, 2s, 1m), {@code replicas} and
 * {@code replicaTimeout} (see {@link Builder#replicas}); Lettuce's own {@code database},
 * {@code sentinelMasterId}, {@code clientName}, {@code verifyPeer} pass through. Without a password
 * in the URI, the environment variable {@code DISTLOCK_REDIS_PASSWORD} supplies one.
 */
public final class RedisLockBackend implements LockBackend {
    private static final String LOST_HANDSHAKE_CAUSE = "RedisHandshakeHandler not registered";

    private final RedisSettings settings;
    private final RedisKeys keys;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    /**
     * How long a waiting manager keeps its place in a lock's queue after its last busy try: three
     * of the engine's default retry intervals (50 ms, jittered to at most 75 ms), so a manager
     * that polls keeps its place and one that stopped drops out soon.
     */
    static final Duration WAITER_FRESHNESS = Duration.ofMillis(150);
    /**
     * How long a released lock stays reserved for the manager whose turn it is: longer than the
     * engine's longest jittered poll, so even a manager that missed the message claims it in time;
     * short, since a manager that gave up keeps the lock free but untakeable for that long.
     */
    static final Duration RESERVATION = Duration.ofMillis(100);
    private final String waiterFreshnessMillis;
    private final String reservationMillis;

    /**
     * This backend's id: its place in lock queues, and the prefix of its release messages. The
     * engine already wakes its own waiters when it releases, so the backend ignores its own
     * messages: otherwise every local hand-off would wake the next local waiter a second time.
     */
    private final String managerId = java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextLong());
    /**
     * Where a release that hands this manager its turn is announced, so each hand-off wakes one
     * manager, not every subscriber of the namespace.
     */
    private final String turnChannel;
    private volatile BackendEvents events;
    private volatile boolean closed;

    private RedisLockBackend(RedisSettings settings, Duration waiterFreshness, Duration reservation) {
        this.settings = settings;
        this.waiterFreshnessMillis = Long.toString(Math.max(1, waiterFreshness.toMillis()));
        this.reservationMillis = Long.toString(Math.max(1, reservation.toMillis()));
        this.keys = new RedisKeys(settings.namespace(), settings.cluster());
        this.turnChannel = keys.channel() + ":" + managerId;
        this.resources = SharedClientResources.acquire();
        AbstractRedisClient created = null;
        StatefulConnection<String, String> data = null;
        try {
            long deadline = System.nanoTime() + settings.connectTimeout().plus(settings.commandTimeout()).toNanos();
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
                RedisClient redisClient = RedisClient.create(resources);
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
        try {
            long deadline = deadline();
            for (RedisFuture<String> loaded : loadScripts()) {
                await(loaded, deadline, "SCRIPT LOAD");
            }
        } catch (RuntimeException failure) {
            close();
            throw failure;
        }
        client.addListener(new ConnectionWatcher());
    }

    /**
     * Loads every script, so none of them can answer NOSCRIPT later. That matters beyond speed:
     * a release that gives up on a frozen server is still delivered when it thaws, and must
     * then delete the lock its timed-out acquire took, with no caller left to resend it by EVAL.
     */
    private List<RedisFuture<String>> loadScripts() {
        List<RedisFuture<String>> loads = new ArrayList<>();
        for (RedisScript script : RedisScript.values()) {
            loads.add(commands.scriptLoad(script.body));
        }
        return loads;
    }

    /** Connects to {@code uri} with the URI's settings; see the class comment for the format. */
    public static RedisLockBackend open(String uri) {
        return builder(uri).build();
    }

    /** Settings from {@code uri}, which the builder's methods override. */
    public static Builder builder(String uri) {
        return new Builder(uri);
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

    private ClusterClientOptions clusterOptions() {
        ClusterClientOptions.Builder builder = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build());
        options(builder);
        return builder.build();
    }

    /**
     * Tries at most this often when Lettuce loses the server's answer to a failed handshake. It
     * loses it in about 2 % of attempts, measured (1,500 connects with a wrong password, RESP2 and
     * RESP3 alike), and the losses come in runs when the machine is busy: two retries once lost all
     * three in a CI run. A wrong password answers in a few milliseconds, so ten cost little, and the
     * connect deadline bounds them all.
     */
    private static final int HANDSHAKE_RETRIES = 10;

    private <T> T connect(java.util.function.Supplier<Future<T>> attempt, long deadline) {
        return connect(attempt, deadline, HANDSHAKE_RETRIES);
    }

    private <T> T connect(java.util.function.Supplier<Future<T>> attempt, long deadline, int retries) {
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
            throw new LockBackendException("Cannot connect to " + settings.description() + ": "
                    + (lostAnswer ? "the connection closed during the handshake, which is what a wrong user or "
                    + "password, or a server that does not speak the Redis protocol, looks like here; " : "")
                    + causes(e.getCause()), e.getCause());
        }
    }

    private static void closeWhenDone(Future<?> future) {
        if (future instanceof java.util.concurrent.CompletionStage<?> stage) {
            stage.thenAccept(late -> {
                if (late instanceof StatefulConnection<?, ?> c) {
                    c.closeAsync();
                }
            });
        }
    }

    // ---------------------------------------------------------------- the SPI

    @Override
    public void start(BackendEvents events) {
        this.events = events;
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (channel.equals(turnChannel)) {
                    // Our turn: the message is the lock key.
                    keys.nameOf(message).ifPresent(events::released);
                    return;
                }
                // "<releasing manager> <lock key>" to everyone; lock keys may hold spaces.
                int space = message.indexOf(' ');
                if (!channel.equals(keys.channel()) || space <= 0) {
                    return;
                }
                boolean own = space == managerId.length() && message.startsWith(managerId);
                if (!own) {
                    keys.nameOf(message.substring(space + 1)).ifPresent(events::released);
                }
            }
        });
        long deadline = deadline();
        await(pubSub.async().subscribe(keys.channel(), turnChannel), deadline,
                "subscribe to " + keys.channel() + " and " + turnChannel);
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        String key = keys.lockKey(request.name());
        String[] scriptKeys = {key, keys.tokenKey(key)};
        long deadline = deadline();
        RedisClusterAsyncCommands<String, String> target = settings.replicas() > 0 ? commandsFor(key) : commands;
        Long token = run(target, RedisScript.ACQUIRE, ScriptOutputType.INTEGER, scriptKeys, deadline, "acquire",
                request.name(), request.ownerId(), Long.toString(Math.max(1, request.lease().toMillis())), managerId,
                holder(request), request.waits() ? "1" : "0");
        if (token == null || token == 0) {
            return AcquireResult.busy();
        }
        if (settings.replicas() > 0) {
            awaitReplicas(target, request, key);
        }
        return AcquireResult.acquired(token);
    }

    /**
     * WAIT on the connection that wrote the lock: it counts only once {@code replicas} replicas
     * have it. Otherwise it is released again, since a failover now could hand it to a second holder.
     */
    private void awaitReplicas(RedisClusterAsyncCommands<String, String> target, AcquireRequest request, String key) {
        long waitDeadline = System.nanoTime() + settings.replicaTimeout().plus(settings.commandTimeout()).toNanos();
        Long acknowledged = await(target.waitForReplication(settings.replicas(), settings.replicaTimeout().toMillis()),
                waitDeadline, "WAIT for " + settings.replicas() + " replica(s) after acquiring lock '" + request.name() + "'");
        if (acknowledged == null || acknowledged < settings.replicas()) {
            boolean undone;
            try {
                undone = releaseKey(target, request.name(), key, request.ownerId());
            } catch (LockBackendException e) {
                undone = false;
            }
            throw new LockBackendException("Lock '" + request.name() + "' was taken on the primary of "
                    + settings.description() + ", but only " + acknowledged + " of the required " + settings.replicas()
                    + " replica(s) acknowledged it within replicaTimeout " + settings.replicaTimeout() + "; "
                    + (undone ? "it was released again" : "releasing it again failed, so it stays until its lease ends")
                    + ", because a failover now could give it to a second holder");
        }
    }

    @Override
    public boolean release(String name, String ownerId) {
        String key = keys.lockKey(name);
        return releaseKey(commands, name, key, ownerId);
    }

    private boolean releaseKey(RedisClusterAsyncCommands<String, String> target, String name, String key, String ownerId) {
        Long outcome = run(target, RedisScript.RELEASE, ScriptOutputType.INTEGER, new String[] {key, keys.tokenKey(key)},
                deadline(), "release", name, ownerId, keys.channel(), managerId, waiterFreshnessMillis, reservationMillis);
        return outcome != null && outcome >= 0;
    }

    @Override
    public boolean supportsHandOver() {
        // WAIT would have to follow the hand-over as it follows an acquire; not worth the second path.
        return settings.replicas() == 0;
    }

    @Override
    public HandOverResult handOver(String ownerId, AcquireRequest next) {
        String key = keys.lockKey(next.name());
        Long outcome = run(commands, RedisScript.RELEASE, ScriptOutputType.INTEGER, new String[] {key, keys.tokenKey(key)},
                deadline(), "hand-over", next.name(), ownerId, keys.channel(), managerId, waiterFreshnessMillis,
                reservationMillis, next.ownerId(), Long.toString(Math.max(1, next.lease().toMillis())), holder(next));
        if (outcome == null || outcome < 0) {
            return HandOverResult.notOwned();
        }
        return outcome == 0 ? HandOverResult.releasedInstead() : HandOverResult.handedOver(outcome);
    }

    /** {@code "<acquired at, epoch ns> <pid> <host> <thread>"}: the thread name, last, may hold spaces. */
    private static String holder(AcquireRequest request) {
        Instant at = request.acquiredAt();
        return (at.getEpochSecond() * 1_000_000_000L + at.getNano()) + " " + request.pid() + " " + request.host() + " "
                + request.thread();
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        Long extended = run(commands, RedisScript.EXTEND, ScriptOutputType.INTEGER, new String[] {keys.lockKey(name)},
                deadline(), "extend", name, ownerId, Long.toString(Math.max(1, lease.toMillis())));
        return extended != null && extended == 1;
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        long deadline = deadline();
        return holder(name, inspectAsync(keys.lockKey(name)), deadline);
    }

    @Override
    public List<LockInfo> list(String prefix) {
        long deadline = deadline();
        Map<String, String> found = new LinkedHashMap<>();
        for (String pattern : keys.scanPatterns(prefix)) {
            ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
            KeyScanCursor<String> cursor = await(commands.scan(args), deadline, "SCAN " + pattern);
            while (true) {
                for (String key : cursor.getKeys()) {
                    keys.nameOf(key).filter(n -> n.startsWith(prefix)).ifPresent(n -> found.put(n, key));
                }
                if (cursor.isFinished()) {
                    break;
                }
                // Each page gets its own timeout: a big keyspace takes many pages, none of them slow.
                cursor = await(commands.scan(cursor, args), deadline(), "SCAN " + pattern);
            }
        }
        // One pipelined round of inspections: send all, then collect.
        Map<String, RedisFuture<List<String>>> pending = new LinkedHashMap<>();
        long inspectDeadline = deadline();
        found.forEach((name, key) -> pending.put(name, inspectAsync(key)));
        List<LockInfo> result = new ArrayList<>();
        pending.forEach((name, future) -> holder(name, future, inspectDeadline).ifPresent(result::add));
        result.sort(Comparator.comparing(LockInfo::name));
        return result;
    }

    @Override
    public boolean forceRelease(String name) {
        Long removed = run(commands, RedisScript.FORCE_RELEASE, ScriptOutputType.INTEGER,
                new String[] {keys.lockKey(name)}, deadline(), "forceRelease", name, keys.channel(), managerId);
        return removed != null && removed == 1;
    }

    @Override
    public String describe() {
        return settings.description();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            pubSub.close();
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            // Closing must not fail; the connections are gone either way.
        } finally {
            SharedClientResources.release();
        }
    }

    @Override
    public String toString() {
        return "RedisLockBackend{" + describe() + "}";
    }

    // ---------------------------------------------------------------- helpers

    private RedisFuture<List<String>> inspectAsync(String key) {
        return runAsync(commands, RedisScript.INSPECT, ScriptOutputType.MULTI, new String[] {key});
    }

    private Optional<LockInfo> holder(String name, RedisFuture<List<String>> future, long deadline) {
        List<String> fields;
        try {
            fields = await(future, deadline, "inspect", name);
        } catch (NoScript e) {
            fields = await(commands.eval(RedisScript.INSPECT.body, ScriptOutputType.MULTI, keys.lockKey(name)),
                    deadline, "inspect", name);
        }
        if (fields == null || fields.size() < 4 || fields.get(0) == null) {
            return Optional.empty();
        }
        long remainingMillis = parseLong(fields.get(3), -2);
        if (remainingMillis == -2) {
            return Optional.empty();
        }
        Instant expiresAt = remainingMillis < 0 ? null : Instant.now().plusMillis(remainingMillis);
        // "<acquired at, epoch ns> <pid> <host> <thread>": the thread name, last, may hold spaces.
        String[] holder = fields.get(2) == null ? new String[0] : fields.get(2).split(" ", 4);
        long acquiredNanos = holder.length > 0 ? parseLong(holder[0], Long.MIN_VALUE) : Long.MIN_VALUE;
        Instant acquiredAt = acquiredNanos == Long.MIN_VALUE ? null
                : Instant.ofEpochSecond(Math.floorDiv(acquiredNanos, 1_000_000_000L), Math.floorMod(acquiredNanos, 1_000_000_000L));
        return Optional.of(new LockInfo(name, fields.get(0), holder.length > 2 ? holder[2] : null,
                holder.length > 1 ? parseLong(holder[1], -1) : -1, holder.length > 3 ? holder[3] : null, acquiredAt,
                expiresAt, parseLong(fields.get(1), 0)));
    }

    private <T> T run(RedisClusterAsyncCommands<String, String> target, RedisScript script, ScriptOutputType type,
                      String[] scriptKeys, long deadline, String operation, String lockName, String... args) {
        try {
            return await(runAsync(target, script, type, scriptKeys, args), deadline, operation, lockName);
        } catch (NoScript unknown) {
            // The server lost its script cache (restart, failover, SCRIPT FLUSH): EVAL sends and caches it.
            return await(target.eval(script.body, type, scriptKeys, args), deadline, operation, lockName);
        }
    }

    private static <T> RedisFuture<T> runAsync(RedisClusterAsyncCommands<String, String> target, RedisScript script,
                                               ScriptOutputType type, String[] scriptKeys, String... args) {
        return target.evalsha(script.sha, type, scriptKeys, args);
    }

    /** The connection to the node that owns {@code key}'s slot (WAIT must follow the write there). */
    @SuppressWarnings("unchecked")
    private RedisClusterAsyncCommands<String, String> commandsFor(String key) {
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

    private long deadline() {
        return System.nanoTime() + settings.commandTimeout().toNanos();
    }

    private <T> T await(Future<T> future, long deadline, String what) {
        return await(future, deadline, what, null);
    }

    /**
     * The answer, or {@code LockBackendException} naming {@code "<operation> of lock '<lockName>'"}
     * (or just {@code operation} when lockName is null), built only on failure: the hot path does
     * not pay for the text.
     */
    private <T> T await(Future<T> future, long deadline, String operation, String lockName) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException | TimeoutException | ExecutionException e) {
            return failed(future, e, lockName == null ? operation : operation + " of lock '" + lockName + "'");
        }
    }

    private <T> T failed(Future<T> future, Exception failure, String what) {
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new LockBackendException("Interrupted during " + what + " on " + settings.description(), failure);
        }
        if (failure instanceof TimeoutException) {
            future.cancel(false);
            throw new LockBackendException(settings.description() + " did not answer " + what + " within "
                    + settings.commandTimeout() + " (the timeout parameter)", failure);
        }
        Throwable cause = failure.getCause();
        if (cause instanceof RedisNoScriptException
                || (cause != null && cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"))) {
            throw new NoScript();
        }
        throw new LockBackendException(what + " on " + settings.description() + " failed: " + causes(cause), cause);
    }

    /** The distinct messages of a cause chain, outermost first: Lettuce wraps the telling one deep inside. */
    static String causes(Throwable failure) {
        StringBuilder text = new StringBuilder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Throwable t = failure; t != null && seen.size() < 6; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName()
                    : t.getClass().getSimpleName() + ": " + t.getMessage();
            if (seen.add(message)) {
                text.append(text.length() == 0 ? "" : "; caused by ").append(message);
            }
        }
        return text.toString();
    }

    private static long parseLong(String text, long fallback) {
        try {
            return text == null ? fallback : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** NOSCRIPT: the caller resends the script with EVAL. */
    private static final class NoScript extends RuntimeException {
        NoScript() {
            super(null, null, false, false);
        }
    }

    /**
     * A dropped command connection means every lock taken through it may be lost (contract 6.4).
     * Connections we closed ourselves, Sentinel look-ups and topology probes end closed and are
     * not losses; only an open connection that went inactive is one.
     */
    private final class ConnectionWatcher implements RedisConnectionStateListener {
        private volatile Throwable lastFailure;

        /** A reconnect may reach a restarted or promoted server without our scripts: load them again. */
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, java.net.SocketAddress address) {
            if (!closed && handler != pubSub) {
                try {
                    loadScripts();
                } catch (RuntimeException notYetActive) {
                    // EVALSHA's NOSCRIPT fallback covers it.
                }
            }
        }

        @Override
        public void onRedisExceptionCaught(RedisChannelHandler<?, ?> handler, Throwable cause) {
            lastFailure = cause;
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            BackendEvents listening = events;
            if (closed || listening == null || handler.isClosed() || handler == pubSub) {
                return;
            }
            Throwable cause = lastFailure;
            lastFailure = null;
            listening.connectionLost(new LockBackendException("The connection to " + settings.description()
                    + " dropped" + (cause == null ? "" : ": " + causes(cause)), cause));
        }
    }

    /** Overrides for the URI's parameters. */
    public static final class Builder {
        private final String uri;
        private final RedisSettings.Overrides overrides = new RedisSettings.Overrides();
        private Duration waiterFreshness = WAITER_FRESHNESS;
        private Duration reservation = RESERVATION;

        private Builder(String uri) {
            this.uri = uri;
        }

        /** Key prefix, so several applications can share one server (default {@code distlock}). */
        public Builder namespace(String namespace) {
            if (namespace == null) {
                throw new IllegalArgumentException("namespace must not be null");
            }
            overrides.namespace = namespace;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            overrides.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** How long any one command may take before it fails with {@code LockBackendException}. */
        public Builder commandTimeout(Duration timeout) {
            overrides.commandTimeout = positive("commandTimeout", timeout);
            return this;
        }

        /**
         * An acquisition counts only once {@code replicas} replicas acknowledged it (Redis WAIT)
         * within {@code timeout}; otherwise it is released again and fails with
         * {@code LockBackendException}. Narrows, but does not close, the window in which a failover
         * loses a fresh lock: WAIT is not a consensus protocol.
         */
        public Builder replicas(int replicas, Duration timeout) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicas must be >= 0 but was " + replicas);
            }
            overrides.replicas = replicas;
            overrides.replicaTimeout = positive("replica timeout", timeout);
            return this;
        }

        /** Connects; throws {@code LockBackendException} naming the URI if Redis cannot be reached. */
        public RedisLockBackend build() {
            return new RedisLockBackend(RedisSettings.parse(uri, overrides), waiterFreshness, reservation);
        }

        /** For tests: how long a queued manager keeps its place, and how long its turn is kept for it. */
        Builder handOff(Duration waiterFreshness, Duration reservation) {
            this.waiterFreshness = positive("waiterFreshness", waiterFreshness);
            this.reservation = positive("reservation", reservation);
            return this;
        }

        private static Duration positive(String what, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive but was " + value);
            }
            return value;
        }
    }
}
