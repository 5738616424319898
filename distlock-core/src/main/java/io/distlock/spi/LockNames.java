package io.distlock.spi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The one byte form of a lock name that every backend builds its keys from, so that two names
 * are one lock exactly when they are equal strings, on every backend, host and JVM
 * (docs/lock-contract.md, "Vocabulary").
 *
 * <p>The bytes are the name's UTF-8 encoding. Lock names are well-formed UTF-16: the engine refuses
 * an unpaired surrogate (rule 6.2), because UTF-8 encoders replace it with {@code ?}, which would
 * give {@code "\uD800"} the key of {@code "?"}. A backend can still be called directly, past the
 * engine; so that its keys stay injective then too, {@link #bytes} writes an unpaired surrogate in
 * its 3-byte generalized UTF-8 form (which no well-formed text has) instead of {@code ?}. For every
 * valid name the bytes are exactly its UTF-8 encoding, so no key of existing data changes. A
 * backend whose client only carries UTF-8 text (Redis's) refuses such a name with
 * {@link #requireWellFormed}.
 */
public final class LockNames {
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    private LockNames() {
    }

    /** The key bytes of {@code name}: UTF-8, an unpaired surrogate in its 3-byte generalized form. */
    public static byte[] bytes(String name) {
        byte[] out = new byte[name.length() * 3];
        int n = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xc0 | c >> 6);
                out[n++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < name.length()
                    && Character.isLowSurrogate(name.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, name.charAt(++i));
                out[n++] = (byte) (0xf0 | cp >> 18);
                out[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
                out[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
                out[n++] = (byte) (0x80 | cp & 0x3f);
            } else {
                out[n++] = (byte) (0xe0 | c >> 12);
                out[n++] = (byte) (0x80 | c >> 6 & 0x3f);
                out[n++] = (byte) (0x80 | c & 0x3f);
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The index of the first surrogate that is not half of a high-low pair, or -1. */
    public static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Returns {@code name} if it is well-formed UTF-16, for a backend whose keys travel as UTF-8 text.
     *
     * @throws IllegalArgumentException naming the unpaired surrogate's code and index (the
     *                                  character itself shows faithfully in no log)
     */
    public static String requireWellFormed(String name) {
        int unpaired = unpairedSurrogate(name);
        if (unpaired >= 0) {
            throw new IllegalArgumentException("lock name has an unpaired UTF-16 surrogate (U+"
                    + HexFormat.of().withUpperCase().toHexDigits(name.charAt(unpaired)) + ") at index " + unpaired
                    + ", which is not well-formed Unicode; lock names must be valid text");
        }
        return name;
    }

    /**
     * {@code bytes} as text: every byte outside {@code A-Z a-z 0-9} and {@code unreserved} written
     * {@code %XX} (upper-case hex), so {@code %} itself is always escaped and the form is injective.
     *
     * @param unreserved the ASCII punctuation kept as it is (never {@code %})
     * @param room       the longest result wanted, in characters
     * @return the escaped text, or null when it would be longer than {@code room}
     */
    public static String percentEncoded(byte[] bytes, String unreserved, int room) {
        if (bytes.length > room) {
            return null;
        }
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c < 0x80 && c != '%' && unreserved.indexOf(c) >= 0) {
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

    /** The SHA-256 digest of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        return SHA256.get().digest(bytes);
    }
}
