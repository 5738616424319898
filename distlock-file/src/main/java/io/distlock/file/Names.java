package io.distlock.file;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Where a lock name lives. A name is never part of a path: it is stored, escaped, inside the
 * record, in stripe file {@code stripes/NN} where {@code NN = SHA-256(bytes of name)[0] mod 64}
 * ({@value Layout#STRIPES} stripes), written as two decimal digits. The bytes of a name are its
 * UTF-8 encoding, except that an unpaired surrogate (which UTF-8 cannot encode) takes its 3-byte
 * generalized UTF-8 form, so {@code "\uD800"} and {@code "?"} stay different names. The mapping
 * is the same in every JVM, process and host; two names are the same lock exactly when they are
 * equal strings.
 */
final class Names {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private Names() {
    }

    static int stripeOf(String name) {
        byte[] hash = SHA256.get().digest(bytesOf(name));
        return (hash[0] & 0xff) % Layout.STRIPES;
    }

    /** What may appear in a namespace or a default directory's name: {@code [A-Za-z0-9._-]}. */
    static boolean isSafe(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                || c == '-';
    }

    /** UTF-8, except that unpaired surrogates get their 3-byte form instead of being replaced by '?'. */
    static byte[] bytesOf(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xc0 | c >> 6);
                out[n++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
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
}
