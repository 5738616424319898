package io.distlock.jdbc;

import io.distlock.spi.LockNames;
import io.distlock.spi.Namespaces;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The session strategy's lock keys: a name in a namespace mapped to the key of a PostgreSQL
 * advisory lock and to the name of a MariaDB or MySQL {@code GET_LOCK}, by a hash that depends on
 * nothing but the namespace and the name, so every host and JVM agrees on which lock a name means
 * (a per-process salted hash, such as {@code String.hashCode} of a randomized map, would not).
 *
 * <p>The digest is SHA-256 over the namespace in ASCII (all {@link Namespaces} allows), one NUL
 * byte, and the name's bytes ({@link LockNames#bytes}: its UTF-8 for every valid name, and an
 * unpaired surrogate in a form of its own instead of {@code ?}). A namespace never contains NUL, so
 * the first NUL ends it and two different (namespace, name) pairs never hash the same input.
 * PostgreSQL's key is the digest's first 8 bytes as a big-endian signed {@code bigint}; the MariaDB and MySQL lock name is {@value #PREFIX} and the hex of the digest's
 * first 27 bytes (63 characters: MySQL-family lock names are limited to 64). The values are pinned by
 * {@code SessionKeysTest}: changing them would make two versions of distlock disagree about a lock.
 *
 * <p>A collision makes two names exclude each other (never share an owner): on PostgreSQL, with
 * n names held at once, the chance that any two collide is about n²/2⁶⁵ (3·10⁻⁸ for a million); on
 * MariaDB and MySQL (216 bits) it is nil in practice.
 */
final class SessionKeys {
    static final String PREFIX = "distlock:";
    private static final int NAME_BYTES = 27;

    private SessionKeys() {
    }

    /** The keys of one name: {@code advisory} for PostgreSQL, {@code lockName} for MariaDB and MySQL. */
    record Key(long advisory, String lockName) {
        /** The high half of the advisory key as PostgreSQL's {@code pg_locks} shows it ({@code classid}). */
        long classId() {
            return advisory >>> 32;
        }

        /** The low half ({@code pg_locks.objid}). */
        long objectId() {
            return advisory & 0xFFFF_FFFFL;
        }
    }

    static Key of(String namespace, String name) {
        byte[] namespaceBytes = namespace.getBytes(StandardCharsets.US_ASCII);
        byte[] nameBytes = LockNames.bytes(name);
        // The array starts zeroed: the byte between the two parts is the NUL.
        byte[] input = new byte[namespaceBytes.length + 1 + nameBytes.length];
        System.arraycopy(namespaceBytes, 0, input, 0, namespaceBytes.length);
        System.arraycopy(nameBytes, 0, input, namespaceBytes.length + 1, nameBytes.length);
        byte[] digest = LockNames.sha256(input);
        return new Key(ByteBuffer.wrap(digest).getLong(), PREFIX + HexFormat.of().formatHex(digest, 0, NAME_BYTES));
    }
}
