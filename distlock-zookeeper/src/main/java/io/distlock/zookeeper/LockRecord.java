package io.distlock.zookeeper;

import io.distlock.LockInfo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;

/**
 * The data of a lock node: who holds it and for how long. Binary ({@link DataOutputStream}), so any
 * owner id, host or thread name round-trips exactly (modified UTF-8 keeps even unpaired surrogates).
 *
 * @param ownerId         the acquisition's owner id
 * @param leaseMillis     the lease the holder asked for at its last acquire or extend; a contender
 *                        that watches the node stay unchanged for this long may take it over
 * @param expiresAtMillis when that lease ends by the holder's wall clock (for {@code inspect} only)
 * @param acquiredAt      the holder's wall clock when it asked for the lock
 */
record LockRecord(String ownerId, long leaseMillis, long expiresAtMillis, Instant acquiredAt, long pid, String host,
                  String thread) {
    private static final byte FORMAT = 1;
    /** Thread names can be long; a few hundred characters identify one. */
    private static final int MAX_TEXT = 512;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(ownerId);
            out.writeLong(leaseMillis);
            out.writeLong(expiresAtMillis);
            out.writeLong(acquiredAt.getEpochSecond());
            out.writeInt(acquiredAt.getNano());
            out.writeLong(pid);
            out.writeUTF(clip(host));
            out.writeUTF(clip(thread));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The record in {@code data}; empty for data this backend did not write. */
    static Optional<LockRecord> decode(byte[] data) {
        if (data == null || data.length == 0 || data[0] != FORMAT) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
            String ownerId = in.readUTF();
            long lease = in.readLong();
            long expires = in.readLong();
            Instant acquiredAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            long pid = in.readLong();
            String host = in.readUTF();
            String thread = in.readUTF();
            return Optional.of(new LockRecord(ownerId, lease, expires, acquiredAt, pid, host, thread));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    LockRecord extended(long leaseMillis, long nowMillis) {
        return new LockRecord(ownerId, leaseMillis, nowMillis + leaseMillis, acquiredAt, pid, host, thread);
    }

    LockInfo info(String name, long token) {
        return new LockInfo(name, ownerId, host, pid, thread, acquiredAt, Instant.ofEpochMilli(expiresAtMillis), token);
    }

    private static String clip(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }
}
