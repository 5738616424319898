package io.distlock.redis;

import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.Durations;
import io.distlock.spi.HandOverResult;
import io.distlock.spi.ListPages;
import io.distlock.spi.LockBackend;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * {@code namespace} (default {@code distlock}), {@code connectTimeout} (default 10 s) and
 * {@code timeout} (each command's, default 2 s; write 500ms, 2s, 1m), {@code replicas} and
 * {@code replicaTimeout} (see {@link Builder#replicas}); Lettuce's own {@code database},
 * {@code sentinelMasterId}, {@code clientName}, {@code verifyPeer}, {@code libraryName} and
 * {@code libraryVersion} pass through. Unknown or repeated parameters are refused.
 * Without a password in the URI, the environment variable {@code DISTLOCK_REDIS_PASSWORD} supplies one.
 */
public final class RedisLockBackend implements LockBackend {
    /** Keys one {@code SCAN} call examines: a page of {@link #list}. */
    private static final int SCAN_COUNT = 1000;
    private final RedisSettings settings;
    private final RedisKeys keys;
    private final RedisConnection connections;
    private final ScriptRunner scripts;
    private final TurnTiming turns;
    /**
     * This backend's id: its place in lock queues, and the prefix of its release messages, by
     * which it recognises (and ignores) its own ({@link ReleaseMessages}).
     */
    private final String managerId = HexFormat.of().toHexDigits(new SecureRandom().nextLong());
    /**
     * Where a release that hands this manager its turn is announced, so each hand-off wakes one
     * manager, not every subscriber of the namespace.
     */
    private final String turnChannel;
    private volatile BackendEvents events;

    private RedisLockBackend(RedisSettings settings, TurnTiming turns) {
        this.settings = settings;
        this.turns = turns;
        this.keys = new RedisKeys(settings.namespace(), settings.cluster());
        this.turnChannel = keys.channel() + ":" + managerId;
        this.connections = new RedisConnection(settings);
        this.scripts = new ScriptRunner(settings, connections.commands);
        try {
            scripts.loadAll();
        } catch (RuntimeException failure) {
            close();
            throw failure;
        }
        // A reconnect may reach a restarted or promoted server without our scripts: load them again.
        // Then the engine checks each suspended lock (contract 6.4); it does so on its own thread and
        // asks again if the connection is not ready for commands yet.
        connections.watch(() -> {
            scripts.loadAllLater();
            BackendEvents listening = events;
            if (listening != null) {
                listening.connectionRestored();
            }
        }, dropped -> {
            BackendEvents listening = events;
            if (listening != null) {
                listening.connectionLost(dropped);
            }
        });
    }

    /** Connects to {@code uri} with the URI's settings; see the class comment for the format. */
    public static RedisLockBackend open(String uri) {
        return builder(uri).build();
    }

    /** Settings from {@code uri}, which the builder's methods override. */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    @Override
    public void start(BackendEvents events) {
        this.events = events;
        connections.pubSub.addListener(new ReleaseMessages(keys, managerId, turnChannel, events));
        scripts.await(connections.pubSub.async().subscribe(keys.channel(), turnChannel), scripts.deadline(),
                "subscribe to " + keys.channel() + " and " + turnChannel);
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        String key = keys.lockKey(request.name());
        String[] scriptKeys = {key, keys.tokenKey(key)};
        long deadline = scripts.deadline();
        RedisClusterAsyncCommands<String, String> target = settings.replicas() > 0
                ? connections.commandsFor(key) : scripts.commands();
        String lease = leaseMillis(request.lease());
        String holder = HolderCodec.encode(request);
        long token;
        if (request.waits()) {
            Long answer = scripts.run(target, RedisScript.ACQUIRE, ScriptOutputType.INTEGER, scriptKeys, deadline,
                    "acquire", request.name(), request.ownerId(), lease, managerId, holder,
                    turns.argument(request.retryInterval()));
            token = answer == null ? 0 : answer;
        } else {
            // A caller that will not wait learns the holder from the same round trip: the answer is
            // then the holder's fields instead of a number (which Lettuce's dynamic output also
            // wraps in a list, of one).
            List<Object> answer = scripts.run(target, RedisScript.ACQUIRE, ScriptOutputType.OBJECT, scriptKeys,
                    deadline, "acquire", request.name(), request.ownerId(), lease, managerId, holder);
            if (answer != null && answer.size() > 1) {
                return AcquireResult.busy(HolderCodec.decode(request.name(), answer).orElse(null));
            }
            token = answer != null && !answer.isEmpty() && answer.get(0) instanceof Long number ? number : 0;
        }
        if (token == 0) {
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
        long waitDeadline = Durations.deadlineNanos(System.nanoTime(), settings.replicaTimeout().plus(settings.commandTimeout()));
        Long acknowledged = scripts.await(target.waitForReplication(settings.replicas(),
                settings.replicaTimeout().toMillis()), waitDeadline, "WAIT for " + settings.replicas()
                + " replica(s) after acquiring lock '" + request.name() + "'");
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
        return releaseKey(scripts.commands(), name, keys.lockKey(name), ownerId);
    }

    private boolean releaseKey(RedisClusterAsyncCommands<String, String> target, String name, String key,
                               String ownerId) {
        Long outcome = scripts.run(target, RedisScript.RELEASE, ScriptOutputType.INTEGER,
                new String[] {key, keys.tokenKey(key)}, scripts.deadline(), "release", name, ownerId, keys.channel(),
                managerId);
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
        Long outcome = scripts.run(scripts.commands(), RedisScript.RELEASE, ScriptOutputType.INTEGER,
                new String[] {key, keys.tokenKey(key)}, scripts.deadline(), "hand-over", next.name(), ownerId,
                keys.channel(), managerId, next.ownerId(), leaseMillis(next.lease()), HolderCodec.encode(next));
        if (outcome == null || outcome < 0) {
            return HandOverResult.notOwned();
        }
        return outcome == 0 ? HandOverResult.releasedInstead() : HandOverResult.handedOver(outcome);
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        Long extended = scripts.run(scripts.commands(), RedisScript.EXTEND, ScriptOutputType.INTEGER,
                new String[] {keys.lockKey(name)}, scripts.deadline(), "extend", name, ownerId, leaseMillis(lease));
        return extended != null && extended == 1;
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        long deadline = scripts.deadline();
        String key = keys.lockKey(name);
        return holder(name, key, sendInspect(key), deadline);
    }

    /**
     * {@code SCAN} pages of {@value #SCAN_COUNT} keys with {@code MATCH} (on every primary in
     * Cluster, one after the other), each page's locks read in one pipelined round; each call has
     * the command timeout. It stops once it has found one lock more than {@code limit}, so a
     * truncated answer holds the locks met first, not the first by name.
     */
    @Override
    public ListPage list(String prefix, int limit) {
        int wanted = ListPages.wanted(limit);
        RedisClusterAsyncCommands<String, String> commands = scripts.commands();
        Map<String, LockInfo> found = new LinkedHashMap<>();
        for (String pattern : keys.scanPatterns(prefix)) {
            ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
            KeyScanCursor<String> cursor = null;
            do {
                RedisFuture<KeyScanCursor<String>> page = cursor == null ? commands.scan(args)
                        : commands.scan(cursor, args);
                cursor = scripts.await(page, scripts.deadline(), "SCAN " + pattern);
                Map<String, String> pageKeys = new LinkedHashMap<>();
                for (String key : cursor.getKeys()) {
                    keys.nameOf(key).filter(n -> n.startsWith(prefix)).ifPresent(n -> pageKeys.put(n, key));
                }
                // One pipelined round of inspections per page: send all, then collect.
                Map<String, RedisFuture<List<Object>>> pending = new LinkedHashMap<>();
                long inspectDeadline = scripts.deadline();
                pageKeys.forEach((name, key) -> pending.put(name, sendInspect(key)));
                pending.forEach((name, future) -> holder(name, pageKeys.get(name), future, inspectDeadline)
                        .ifPresent(info -> found.put(name, info)));
            } while (!cursor.isFinished() && found.size() < wanted);
            if (found.size() >= wanted) {
                break;
            }
        }
        return ListPages.of(found.values(), limit);
    }

    private RedisFuture<List<Object>> sendInspect(String key) {
        return scripts.send(scripts.commands(), RedisScript.INSPECT, ScriptOutputType.MULTI, new String[] {key});
    }

    private Optional<LockInfo> holder(String name, String key, RedisFuture<List<Object>> sent, long deadline) {
        List<Object> fields = scripts.collect(sent, scripts.commands(), RedisScript.INSPECT, ScriptOutputType.MULTI,
                new String[] {key}, deadline, "inspect", name);
        return HolderCodec.decode(name, fields);
    }

    @Override
    public boolean forceRelease(String name) {
        Long removed = scripts.run(scripts.commands(), RedisScript.FORCE_RELEASE, ScriptOutputType.INTEGER,
                new String[] {keys.lockKey(name)}, scripts.deadline(), "forceRelease", name, keys.channel(), managerId);
        return removed != null && removed == 1;
    }

    @Override
    public String describe() {
        return settings.description();
    }

    @Override
    public void close() {
        connections.close();
    }

    @Override
    public String toString() {
        return "RedisLockBackend{" + describe() + "}";
    }

    private static String leaseMillis(Duration lease) {
        return Long.toString(Math.max(1, Durations.saturatedMillis(lease)));
    }

    /** Overrides for the URI's parameters. */
    public static final class Builder {
        private final String uri;
        private final RedisSettings.Overrides overrides = new RedisSettings.Overrides();
        private TurnTiming turns = new TurnTiming();

        private Builder(String uri) {
            this.uri = uri;
        }

        /** Key prefix, so several applications can share one server (default {@code distlock}). */
        public Builder namespace(String namespace) {
            if (namespace == null) {
                throw new IllegalArgumentException("namespace must not be null");
            }
            overrides.options.namespace(namespace);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            overrides.options.connectTimeout(timeout);
            return this;
        }

        /** How long any one command may take before it fails with {@code LockBackendException} (default 2 s). */
        public Builder timeout(Duration timeout) {
            overrides.options.timeout(timeout);
            return this;
        }

        /**
         * The old name of {@link #timeout(Duration)}; the backend logs a warning that says so.
         *
         * @deprecated use {@link #timeout(Duration)}, the vocabulary's word (and the URI's)
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder commandTimeout(Duration timeout) {
            overrides.options.oldTimeout(timeout);
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
            overrides.replicaTimeout = Durations.requirePositive("replica timeout", timeout);
            return this;
        }

        /** Connects; throws {@code LockBackendException} naming the URI if Redis cannot be reached. */
        public RedisLockBackend build() {
            return new RedisLockBackend(RedisSettings.parse(uri, overrides), turns);
        }

        /**
         * For tests: how long this manager's queue entries stay fresh and how long its turns are
         * kept for it, fixed instead of derived from each request's retry interval.
         */
        Builder handOff(Duration waiterFreshness, Duration reservation) {
            turns = new TurnTiming(Durations.requirePositive("waiterFreshness", waiterFreshness),
                    Durations.requirePositive("reservation", reservation));
            return this;
        }
    }
}
