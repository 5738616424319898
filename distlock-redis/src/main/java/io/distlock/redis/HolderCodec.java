package io.distlock.redis;

import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.Durations;
import io.distlock.spi.HolderRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The lock hash's {@code holder} field and the scripts' holder replies.
 *
 * <p>The field is {@code "<acquired at, epoch ns> <pid> <host> <thread>"}: one field rather than
 * four, because Redis's work grows with every field and script argument and an uncontended
 * acquisition is mostly that work; the thread name comes last because it may hold spaces.
 *
 * <p>A reply ({@link RedisScript#INSPECT}, and {@link RedisScript#ACQUIRE} answering a try-once
 * that found the lock busy) is {@code [owner, token, holder, remaining lease in ms]}. The value
 * read is the SPI's {@link HolderRecord}; this class keeps only Redis's wire format.
 */
final class HolderCodec {
    private HolderCodec() {
    }

    static String encode(AcquireRequest request) {
        return HolderRecord.epochNanos(request.acquiredAt()) + " " + request.pid() + " " + request.host() + " "
                + request.thread();
    }

    /**
     * The holder a reply names; empty when the reply names none (the lock is free or only
     * reserved) or its lease has just lapsed. Unreadable parts of the holder field (a lock
     * written by another version) become unknowns rather than failures: inspect is for people.
     */
    static Optional<LockInfo> decode(String name, List<?> reply) {
        if (reply == null || reply.size() < 4 || reply.get(0) == null) {
            return Optional.empty();
        }
        long remainingMillis = HolderRecord.parseLong(reply.get(3), -2);
        if (remainingMillis == -2) {
            // PTTL's "no such key": the lease ran out between the script's two reads.
            return Optional.empty();
        }
        Instant expiresAt = remainingMillis < 0 ? null : Durations.plus(Instant.now(), Duration.ofMillis(remainingMillis));
        String[] holder = reply.get(2) == null ? new String[0] : reply.get(2).toString().split(" ", 4);
        long acquiredNanos = holder.length > 0 ? HolderRecord.parseLong(holder[0], Long.MIN_VALUE) : Long.MIN_VALUE;
        Instant acquiredAt = acquiredNanos == Long.MIN_VALUE ? null : HolderRecord.ofEpochNanos(acquiredNanos);
        HolderRecord record = new HolderRecord(reply.get(0).toString(), holder.length > 2 ? holder[2] : null,
                holder.length > 1 ? HolderRecord.parseLong(holder[1], -1) : -1, holder.length > 3 ? holder[3] : null,
                acquiredAt, expiresAt);
        return Optional.of(record.info(name, HolderRecord.parseLong(reply.get(1), 0)));
    }
}
