package io.distlock.file;

import io.distlock.spi.LockNames;
import io.distlock.spi.Namespaces;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Where a namespace and a lock name live on disk.
 *
 * <p>A namespace ({@link Namespaces}' rule) is the directory {@code <directory>/<namespace>}, its
 * name {@linkplain LockNames#percentEncoded percent-encoded} except for {@code A-Z a-z 0-9 . _ -}:
 * a colon, which Windows refuses in a file name, is {@code %3A}, and the namespaces {@code .} and
 * {@code ..}, which name other directories, are {@code %2E} and {@code %2E%2E}. Every namespace
 * the file backend accepted before (no colon, at most 64 characters, not {@code .} or {@code ..}) is
 * therefore its own directory name, as it always was. An encoded name longer than a file name may
 * be (255 bytes; only a namespace of dozens of colons comes near) is {@code %} and the lowercase
 * hex SHA-256 of the namespace instead, which no escape (upper-case hex) can produce.
 *
 * <p>A name is never part of a path: it is stored, escaped, inside the record, in stripe file
 * {@code stripes/NN} where {@code NN = SHA-256(}{@link LockNames#bytes bytes of name}{@code )[0]
 * mod 64} ({@value Layout#STRIPES} stripes), written as two decimal digits. The mapping is the same
 * in every JVM, process and host; two names are the same lock exactly when they are equal strings.
 */
final class FileKeys {
    private static final int MAX_FILE_NAME = 255;

    private FileKeys() {
    }

    static int stripeOf(String name) {
        return (LockNames.sha256(LockNames.bytes(name))[0] & 0xff) % Layout.STRIPES;
    }

    /** The name of namespace {@code namespace}'s directory (the namespace is valid). */
    static String directoryOf(String namespace) {
        byte[] bytes = namespace.getBytes(StandardCharsets.US_ASCII);
        boolean dotsOnly = namespace.equals(".") || namespace.equals("..");
        String encoded = LockNames.percentEncoded(bytes, dotsOnly ? "" : "._-", MAX_FILE_NAME);
        return encoded != null ? encoded : "%" + HexFormat.of().formatHex(LockNames.sha256(bytes));
    }

    /** What may appear in a group's name: {@code [A-Za-z0-9._-]}. */
    static boolean isSafe(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                || c == '-';
    }
}
