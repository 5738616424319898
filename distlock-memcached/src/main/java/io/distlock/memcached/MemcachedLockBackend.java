package io.distlock.memcached;

import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.BackendOptions;
import io.distlock.spi.Durations;
import io.distlock.spi.HolderRecord;
import io.distlock.spi.LockBackend;
import net.rubyeye.xmemcached.GetsResponse;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Locks on one or more memcached servers, through one xmemcached client per server.
 *
 * <pre>{@code
 * LockManager locks = LockManager.builder(MemcachedLockBackend.open("memcached://cache1:11211,cache2:11211")).build();
 * }</pre>
 *
 * <p>URI: {@code memcached://host[:port][,host[:port]...][?parameters]}; without hosts
 * ({@code memcached:} or {@code memcached:?namespace=app}) the servers come from
 * {@code DISTLOCK_MEMCACHED_SERVERS}, else {@code MEMCACHEDLOCK_SERVERS}, else 127.0.0.1:11211
 * (comma- or space-separated {@code host[:port]}, port 11211 by default). Parameters:
 * {@code namespace} (default {@code distlock}), {@code timeout} (each operation, default 2s) and
 * {@code connectTimeout} (default 2s).
 *
 * <p>A name lives on one server, chosen by consistent hashing of its key ({@link HashRing}); a
 * server that is down keeps its names, which fail with {@link LockBackendException} until it is
 * back. Acquire is an atomic {@code add} of the holder's record with the lease (whole seconds,
 * rounded up, plus two: {@link MemcachedConnection#expiry}), then, while holding, an increment of the
 * name's counter, which is the fencing token: only a holder increments it, so tokens rise in the
 * order the lock was held. The counter is created at the server's unix time times 1,000,000,
 * so that a counter lost to a restart or eviction starts above every token it had issued. Release
 * and extend read the record with its CAS value and delete or rewrite it only if the owner id
 * matches and the CAS value has not changed: a lock another owner took after expiry is never
 * touched. memcached cannot list keys: {@link #list} is unsupported. It has no notifications:
 * waiters poll at the retry interval (the engine coalesces one JVM's waiters per name).
 *
 * <p>A dropped connection to one server suspends this backend's held locks (contract 6.4: the
 * SPI's connection events are per backend, not per server) and at once asks the engine to check
 * them: those on the other servers are confirmed by the first check and held again; those on the
 * dropped server stay suspended, checked again and again, until it answers (still ours: held
 * again; a memcached that restarted comes back empty: lost) or their lease runs out (lost).
 */
public final class MemcachedLockBackend implements LockBackend {
    private static final long TOKENS_PER_SECOND = 1_000_000L;

    private final MemcachedSettings settings;
    private final MemcachedKeys keys;
    private final HashRing<MemcachedConnection> ring;
    private final List<MemcachedConnection> nodes;
    private volatile @Nullable BackendEvents events;
    private volatile boolean closed;

    private MemcachedLockBackend(MemcachedSettings settings) {
        this.settings = settings;
        this.keys = new MemcachedKeys(settings.namespace());
        Map<String, MemcachedConnection> byLabel = new LinkedHashMap<>();
        try {
            for (MemcachedSettings.Server server : settings.servers()) {
                byLabel.put(server.label(), new MemcachedConnection(server, settings.timeout(), settings.connectTimeout(),
                        this::disconnected));
            }
        } catch (RuntimeException e) {
            byLabel.values().forEach(MemcachedConnection::close);
            throw e;
        }
        this.ring = new HashRing<>(byLabel);
        this.nodes = List.copyOf(byLabel.values());
    }

    /** Opens a backend from a {@code memcached:} URI (see the class comment). */
    public static MemcachedLockBackend open(String uri) {
        return builder(uri).build();
    }

    /** A builder starting from a {@code memcached:} URI, whose settings it may override. */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    @Override
    public void start(BackendEvents events) {
        this.events = events;
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        String lockKey = keys.lockKey(request.name());
        MemcachedConnection node = ring.nodeFor(lockKey);
        Instant expiresAt = Durations.plus(request.acquiredAt(), request.lease());
        String value = LockValue.encode(HolderRecord.of(request, expiresAt));
        if (!node.add(lockKey, node.expiry(request.lease()), value)) {
            return AcquireResult.busy();
        }
        long token;
        try {
            token = node.increment(keys.counterKey(lockKey), node.serverSeconds() * TOKENS_PER_SECOND);
        } catch (RuntimeException e) {
            // Held without a token: give it back rather than block the name until the lease ends.
            try {
                release(request.name(), request.ownerId());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return AcquireResult.acquired(token);
    }

    @Override
    public boolean release(String name, String ownerId) {
        String lockKey = keys.lockKey(name);
        MemcachedConnection node = ring.nodeFor(lockKey);
        GetsResponse<String> current = node.gets(lockKey);
        if (current == null || !ownedBy(current, ownerId)) {
            return false;
        }
        return node.deleteIfCas(lockKey, current.getCas());
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        String lockKey = keys.lockKey(name);
        MemcachedConnection node = ring.nodeFor(lockKey);
        GetsResponse<String> current = node.gets(lockKey);
        if (current == null) {
            return false;
        }
        Optional<HolderRecord> holder = LockValue.decode(current.getValue());
        if (holder.isEmpty() || !holder.get().ownerId().equals(ownerId)) {
            return false;
        }
        HolderRecord renewed = holder.get().withExpiry(Durations.plus(Instant.now(), lease));
        return node.cas(lockKey, node.expiry(lease), LockValue.encode(renewed), current.getCas());
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        String lockKey = keys.lockKey(name);
        String counterKey = keys.counterKey(lockKey);
        Map<String, String> found = ring.nodeFor(lockKey).getAll(List.of(lockKey, counterKey));
        if (found == null) {
            return Optional.empty();
        }
        long token = parseToken(found.get(counterKey));
        return LockValue.decode(found.get(lockKey)).map(holder -> holder.info(name, token));
    }

    @Override
    public List<LockInfo> list(String prefix) {
        throw new UnsupportedOperationException("memcached cannot enumerate its keys, so locks cannot be listed; "
                + "ask for a lock by its name instead (LockManager.inspect; on the command line, distlock status NAME)");
    }

    @Override
    public boolean forceRelease(String name) {
        String lockKey = keys.lockKey(name);
        return ring.nodeFor(lockKey).delete(lockKey);
    }

    @Override
    public String describe() {
        return settings.description();
    }

    @Override
    public void close() {
        closed = true;
        nodes.forEach(MemcachedConnection::close);
    }

    @Override
    public String toString() {
        return describe();
    }

    private static boolean ownedBy(GetsResponse<String> current, String ownerId) {
        return LockValue.decode(current.getValue()).map(v -> v.ownerId().equals(ownerId)).orElse(false);
    }

    /** The counter's value; 0 (unknown) when it is missing, evicted or not a number. */
    private static long parseToken(@Nullable String counter) {
        if (counter == null) {
            return 0;
        }
        try {
            return Long.parseLong(counter.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void disconnected(MemcachedConnection node) {
        BackendEvents listener = events;
        if (closed || listener == null) {
            return;
        }
        listener.connectionLost(new LockBackendException("the connection to memcached server " + node.label()
                + " dropped; a memcached that restarts comes back empty, so its locks are suspended until it "
                + "confirms them"));
        // Check every suspended lock now: the other servers' answer at once and are held again.
        listener.connectionRestored();
    }

    /** Settings over those of the URI. */
    public static final class Builder {
        private final String uri;
        private final BackendOptions options = new BackendOptions();

        private Builder(String uri) {
            this.uri = uri;
        }

        /** The namespace (prefix) of every key; default {@code distlock}. */
        public Builder namespace(String namespace) {
            options.namespace(namespace);
            return this;
        }

        /** How long one operation may take before it fails with {@link LockBackendException}; default 2 s. */
        public Builder timeout(Duration timeout) {
            options.timeout(timeout);
            return this;
        }

        /** How long connecting to a server may take; default 2 s. */
        public Builder connectTimeout(Duration timeout) {
            options.connectTimeout(timeout);
            return this;
        }

        /**
         * Connects to every server (a server that is down is retried in the background; its names
         * fail until it is back).
         *
         * @throws IllegalArgumentException if the URI or a setting is malformed, naming it
         */
        public MemcachedLockBackend build() {
            return new MemcachedLockBackend(MemcachedSettings.parse(uri, options, MemcachedSettings.systemEnvironment()));
        }
    }
}
