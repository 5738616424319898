package io.distlock.file;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The file a lock name maps to, and the stripe that guards it.
 *
 * <p>The mapping is {@code "n_" + readable + "." + sha256hex + ".lock"}, where {@code sha256hex} is
 * the lower-case SHA-256 of the name's bytes and {@code readable} is the first
 * {@value #READABLE_CHARS} characters of the name with everything outside {@code [A-Za-z0-9._-]}
 * replaced by {@code _}. The readable part is only for people listing the directory; the hash is
 * what makes the mapping injective. The name's bytes are its UTF-8 encoding; an unpaired surrogate
 * (which UTF-8 cannot encode) is written as its 3-byte generalized UTF-8 form, which no valid
 * UTF-8 string produces, so {@code "\uD800"} and {@code "?"} stay different locks.
 *
 * <p>Why this is safe: the result only ever contains {@code [A-Za-z0-9._-]}, never a separator,
 * always starts with {@code n_} (so never {@code .}, {@code ..}, a hidden file or a Windows device
 * name such as {@code CON} or {@code NUL}), ends in {@code .lock}, is case-insensitively unique
 * (hex is lower case), and is at most 136 bytes long.
 */
record LockFileName(String name, String fileName, int stripe) {
    static final String SUFFIX = ".lock";
    static final int READABLE_CHARS = 64;
    static final int HASH_HEX_CHARS = 64;
    /** Fixed for a directory layout: every process must agree on it (see Layout). */
    static final int STRIPES = 64;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    static LockFileName of(String name) {
        MessageDigest sha = SHA256.get();
        byte[] hash = sha.digest(bytesOf(name));
        int readableLength = Math.min(name.length(), READABLE_CHARS);
        StringBuilder file = new StringBuilder(2 + readableLength + 1 + HASH_HEX_CHARS + SUFFIX.length());
        file.append("n_");
        for (int i = 0; i < readableLength; i++) {
            char c = name.charAt(i);
            file.append(isSafe(c) ? c : '_');
        }
        file.append('.');
        HexFormat.of().formatHex(file, hash);
        file.append(SUFFIX);
        return new LockFileName(name, file.toString(), stripeOf(hash[0]));
    }

    /** The stripe of a record file's name, or -1 if the name is not one this mapping produces. */
    static int stripeOfFileName(String fileName) {
        int hashEnd = fileName.length() - SUFFIX.length();
        int hashStart = hashEnd - HASH_HEX_CHARS;
        if (!fileName.startsWith("n_") || !fileName.endsWith(SUFFIX) || hashStart < 3
                || fileName.charAt(hashStart - 1) != '.') {
            return -1;
        }
        for (int i = hashStart; i < hashEnd; i++) {
            char c = fileName.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return -1;
            }
        }
        return stripeOf((byte) HexFormat.fromHexDigits(fileName, hashStart, hashStart + 2));
    }

    private static int stripeOf(byte firstHashByte) {
        return (firstHashByte & 0xff) % STRIPES;
    }

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
        return java.util.Arrays.copyOf(out, n);
    }
}
