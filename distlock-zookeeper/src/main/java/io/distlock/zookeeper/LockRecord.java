package io.distlock.zookeeper;

import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.HolderRecord;
import org.jspecify.annotations.Nullable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The data of a lock node: who holds it ({@link HolderRecord}) and the lease it asked for.
 * ZooKeeper's wire format of the holder record, binary ({@link DataOutputStream}), so any owner id,
 * host or thread name round-trips exactly (modified UTF-8 keeps even unpaired surrogates):
 * {@code 1, owner, lease ms, expires at ms, acquired at (s, ns), pid, host, thread}. A missing host
 * or thread is written empty, and read back so.
 *
 * @param holder      the holder; its lease end (whole milliseconds) is by the holder's wall clock,
 *                    for {@code inspect} and for the holder's own extend
 * @param leaseMillis the lease the holder asked for at its last acquire or extend; a contender
 *                    that watches the node stay unchanged for this long may take it over
 */
record LockRecord(HolderRecord holder, long leaseMillis) {
    private static final byte FORMAT = 1;
    /** Thread names can be long; a few hundred characters identify one. */
    private static final int MAX_TEXT = 512;

    /** The record of {@code request}'s acquirer, its lease of {@code leaseMillis} from when it asked. */
    static LockRecord of(AcquireRequest request, long leaseMillis) {
        return new LockRecord(HolderRecord.of(request,
                Instant.ofEpochMilli(request.acquiredAt().toEpochMilli() + leaseMillis)), leaseMillis);
    }

    String ownerId() {
        return holder.ownerId();
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(holder.ownerId());
            out.writeLong(leaseMillis);
            out.writeLong(known(holder.expiresAt(), "lease end").toEpochMilli());
            Instant acquiredAt = known(holder.acquiredAt(), "acquire time");
            out.writeLong(acquiredAt.getEpochSecond());
            out.writeInt(acquiredAt.getNano());
            out.writeLong(holder.pid());
            out.writeUTF(clip(holder.host()));
            out.writeUTF(clip(holder.thread()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The record in {@code data}; empty for data this backend did not write. */
    static Optional<LockRecord> decode(byte @Nullable [] data) {
        if (data == null || data.length == 0 || data[0] != FORMAT) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
            String ownerId = in.readUTF();
            long lease = in.readLong();
            Instant expiresAt = Instant.ofEpochMilli(in.readLong());
            Instant acquiredAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            long pid = in.readLong();
            String host = in.readUTF();
            String thread = in.readUTF();
            return Optional.of(new LockRecord(new HolderRecord(ownerId, host, pid, thread, acquiredAt, expiresAt), lease));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The same holder with a lease of {@code leaseMillis} from {@code nowMillis} (an extend). */
    LockRecord extended(long leaseMillis, long nowMillis) {
        return new LockRecord(holder.withExpiry(Instant.ofEpochMilli(nowMillis + leaseMillis)), leaseMillis);
    }

    LockInfo info(String name, long token) {
        return holder.info(name, token);
    }

    /**
     * The format has no room for an unknown time, and none is unknown here: {@link #of} takes both
     * from the request, {@link #decode} reads both, and {@link #extended} keeps them.
     */
    private static Instant known(@Nullable Instant time, String what) {
        return Objects.requireNonNull(time, () -> "a ZooKeeper lock record needs its " + what);
    }

    private static String clip(@Nullable String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }
}
