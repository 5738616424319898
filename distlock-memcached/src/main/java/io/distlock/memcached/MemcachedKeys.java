package io.distlock.memcached;

import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a namespace's locks live in memcached. Deterministic (the same key for a name on every
 * host and JVM) and injective, within memcached's key rules: at most 250 bytes of printable ASCII
 * without spaces.
 *
 * <p>Every key is {@code <namespace>:<kind>:<body>}, where the body never contains {@code :}.
 * Reading a key from the right therefore gives back its namespace, kind and body, so two different
 * namespaces (even {@code app} and {@code app:l}) can never produce the same key.
 *
 * <ul>
 *   <li>{@code l}: the name's UTF-8 bytes, with every byte outside {@code A-Z a-z 0-9 - . _ ~ /}
 *       written {@code %XX} (so {@code %}, {@code :}, spaces, control characters and non-ASCII are
 *       escaped), when the whole key stays within 249 bytes;</li>
 *   <li>{@code L}: otherwise, the lowercase hex SHA-256 of the name's UTF-8 bytes (64 characters);</li>
 *   <li>the fencing-token counter of a lock: the lock key with {@code t} before its kind
 *       ({@code ns:tl:...}), hence the 249-byte limit for lock keys.</li>
 * </ul>
 *
 * Hashed keys are injective as far as SHA-256 has no collisions. Names are well-formed UTF-16 (the
 * engine refuses an unpaired surrogate, which UTF-8 would turn into {@code ?}), so their UTF-8 bytes
 * tell them apart. ({@code m} and {@code M} were the kinds of such names before; no name has them now.)
 */
final class MemcachedKeys {
    static final int MAX_KEY_BYTES = 250;
    private static final int MAX_LOCK_KEY_BYTES = MAX_KEY_BYTES - 1;
    private static final HexFormat HEX = HexFormat.of();
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private final String namespace;

    MemcachedKeys(String namespace) {
        this.namespace = namespace;
    }

    /** The key of the lock named {@code name}. */
    String lockKey(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        String prefix = namespace + ":l:";
        String escaped = escape(utf8, MAX_LOCK_KEY_BYTES - prefix.length());
        return escaped != null ? prefix + escaped : namespace + ":L:" + sha256(utf8);
    }

    /** The key of the counter that issues the fencing tokens of {@code lockKey}. */
    String counterKey(String lockKey) {
        int kind = lockKey.lastIndexOf(':', lockKey.lastIndexOf(':') - 1) + 1;
        return lockKey.substring(0, kind) + "t" + lockKey.substring(kind);
    }

    /** The escaped form, or null when it would be longer than {@code room} bytes. */
    private static @Nullable String escape(byte[] utf8, int room) {
        if (utf8.length > room) {
            return null;
        }
        StringBuilder out = new StringBuilder(utf8.length + 16);
        for (byte b : utf8) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(UPPER_HEX[c >> 4]).append(UPPER_HEX[c & 0xf]);
            }
            if (out.length() > room) {
                return null;
            }
        }
        return out.toString();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** True if memcached's text protocol accepts {@code key}: 1 to 250 bytes, no spaces or control characters. */
    static boolean isValidKey(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_BYTES) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
