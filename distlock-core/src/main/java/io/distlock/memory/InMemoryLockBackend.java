package io.distlock.memory;

import io.distlock.ListPage;
import io.distlock.LockInfo;
import io.distlock.Ticker;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.Durations;
import io.distlock.spi.HandOverResult;
import io.distlock.spi.ListPages;
import io.distlock.spi.LockBackend;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Locks that live in this JVM only: for tests and single-process applications. It keeps the whole
 * contract honestly: leases expire (by the given {@link Ticker}), tokens strictly increase (one
 * counter for all names, so nothing is kept per released name), release and extend check the owner.
 */
public final class InMemoryLockBackend implements LockBackend {
    private final Ticker ticker;
    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();

    private InMemoryLockBackend(Ticker ticker) {
        this.ticker = ticker;
    }

    public static InMemoryLockBackend create() {
        return new InMemoryLockBackend(Ticker.system());
    }

    /** With a ticker the test drives, so leases can expire without sleeping. */
    public static InMemoryLockBackend create(Ticker ticker) {
        if (ticker == null) {
            throw new IllegalArgumentException("ticker must not be null");
        }
        return new InMemoryLockBackend(ticker);
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        // The token is drawn inside compute, while the name's bin is locked: a token drawn before
        // the insert could be overtaken by a later, larger one that is released first.
        Take take = new Take(request, ticker.read());
        locks.compute(request.name(), take);
        Entry holder = take.holder;
        return holder != null ? AcquireResult.busy(holder.info()) : AcquireResult.acquired(take.token);
    }

    @Override
    public boolean release(String name, String ownerId) {
        Entry current = locks.get(name);
        if (current == null || !current.request.ownerId().equals(ownerId)) {
            return false;
        }
        boolean live = current.liveAt(ticker.read());
        // Removes only this very entry (identity): if it expired and was taken since, nothing is removed.
        return locks.remove(name, current) && live;
    }

    @Override
    public boolean supportsHandOver() {
        return true;
    }

    @Override
    public HandOverResult handOver(String ownerId, AcquireRequest next) {
        long now = ticker.read();
        long[] outcome = {0};
        locks.computeIfPresent(next.name(), (key, current) -> {
            if (!current.request.ownerId().equals(ownerId) || !current.liveAt(now)) {
                return current;
            }
            outcome[0] = tokens.incrementAndGet();
            return new Entry(next, outcome[0], Durations.deadlineNanos(now, next.lease()), next.acquiredAt(), next.lease());
        });
        return outcome[0] > 0 ? HandOverResult.handedOver(outcome[0]) : HandOverResult.notOwned();
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        long now = ticker.read();
        boolean[] extended = {false};
        locks.computeIfPresent(name, (key, current) -> {
            if (!current.request.ownerId().equals(ownerId) || !current.liveAt(now)) {
                return current;
            }
            extended[0] = true;
            return new Entry(current.request, current.token, Durations.deadlineNanos(now, lease), Instant.now(), lease);
        });
        return extended[0];
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        Entry entry = locks.get(name);
        return entry != null && entry.liveAt(ticker.read()) ? Optional.of(entry.info()) : Optional.empty();
    }

    @Override
    public ListPage list(String prefix, int limit) {
        int wanted = ListPages.wanted(limit);
        long now = ticker.read();
        List<LockInfo> found = new ArrayList<>();
        for (Map.Entry<String, Entry> e : locks.entrySet()) {
            if (!e.getValue().liveAt(now)) {
                locks.remove(e.getKey(), e.getValue());
            } else if (e.getKey().startsWith(prefix)) {
                found.add(e.getValue().info());
                if (found.size() == wanted) {
                    break;
                }
            }
        }
        return ListPages.of(found, limit);
    }

    @Override
    public boolean forceRelease(String name) {
        Entry removed = locks.remove(name);
        return removed != null && removed.liveAt(ticker.read());
    }

    @Override
    public String describe() {
        return "memory:";
    }

    @Override
    public void close() {
        locks.clear();
    }

    /**
     * The remapping function of one acquisition; also carries the token out, so an attempt
     * allocates one object here rather than a capturing lambda plus a result array.
     */
    private final class Take implements BiFunction<String, Entry, Entry> {
        private final AcquireRequest request;
        private final long now;
        long token;
        /** The live entry that made the lock busy, when it was. */
        @Nullable Entry holder;

        Take(AcquireRequest request, long now) {
            this.request = request;
            this.now = now;
        }

        @Override
        public Entry apply(String name, Entry current) {
            if (current != null && current.liveAt(now)) {
                holder = current;
                return current;
            }
            token = tokens.incrementAndGet();
            return new Entry(request, token, Durations.deadlineNanos(now, request.lease()), request.acquiredAt(), request.lease());
        }
    }

    /**
     * One holder. Equality is identity, so {@code remove(name, entry)} removes exactly the entry
     * that was checked. The wall-clock expiry is computed only when someone inspects.
     */
    private static final class Entry {
        final AcquireRequest request;
        final long token;
        final long expiresAtNanos;
        final Instant termStart;
        final Duration length;

        Entry(AcquireRequest request, long token, long expiresAtNanos, Instant termStart, Duration length) {
            this.request = request;
            this.token = token;
            this.expiresAtNanos = expiresAtNanos;
            this.termStart = termStart;
            this.length = length;
        }

        boolean liveAt(long now) {
            return now - expiresAtNanos < 0;
        }

        LockInfo info() {
            return new LockInfo(request.name(), request.ownerId(), request.host(), request.pid(), request.thread(),
                    request.acquiredAt(), Durations.plus(termStart, length), token);
        }
    }
}
