package io.distlock.zookeeper;

import io.distlock.spi.LockNames;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a namespace's nodes are ({@code <chroot>/<namespace>/locks/...} and {@code .../owners/...}),
 * and lock names and owner ids as ZooKeeper node names: deterministic, injective and reversible,
 * the same in every JVM.
 *
 * <p>A node name is a fixed prefix ({@code l-} for locks) followed by the escaped text: the name's
 * key bytes ({@link LockNames#bytes}: UTF-8) {@linkplain LockNames#percentEncoded percent-encoded}
 * except for the ASCII letters, digits and {@code - _ . :}, and a UTF-16 code unit that is not part
 * of a valid pair (which UTF-8 cannot encode, and the engine refuses) as {@code ~XXXX}, the form
 * such a node has always had. So {@code a/b} is {@code l-a%2Fb},
 * {@code ../../etc} is {@code l-..%2F..%2Fetc} (one node, never a path), and {@code %} and
 * {@code ~} are themselves escaped, which makes decoding unambiguous.
 *
 * <p>The prefix keeps every node name clear of {@code .}, {@code ..} and ZooKeeper's reserved
 * {@code zookeeper}. No hash is needed for long names: ZooKeeper limits a path only by its packet
 * size (jute.maxbuffer, 1 MB by default), and the longest name the contract admits (1024 UTF-8
 * bytes) escapes to at most 3072 characters, so every node name decodes back to its lock name and
 * {@code list} needs no extra read to learn the names.
 */
final class ZooKeeperKeys {
    static final String LOCK_PREFIX = "l-";
    /** Kept as they are in a node name, with the ASCII letters and digits; every other byte is escaped. */
    private static final String PLAIN_PUNCTUATION = "-_.:";
    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

    private final String locksPath;
    private final String locksPrefix;
    private final String ownersPath;
    private final String ownersPrefix;

    /** The nodes below {@code base}, which is {@code <chroot>/<namespace>}. */
    ZooKeeperKeys(String base) {
        this.locksPath = base + "/locks";
        this.locksPrefix = locksPath + "/";
        this.ownersPath = base + "/owners";
        this.ownersPrefix = ownersPath + "/";
    }

    /** The persistent parent of every lock node. */
    String locksPath() {
        return locksPath;
    }

    /** The persistent parent of every owner's marker. */
    String ownersPath() {
        return ownersPath;
    }

    String lockPath(String name) {
        return locksPrefix + lockNode(name);
    }

    /** The path of a child that {@code getChildren} of {@link #locksPath()} named. */
    String lockPathOfNode(String node) {
        return locksPrefix + node;
    }

    String ownerPath(String ownerId, String name) {
        return ownersPrefix + ownerNode(ownerId, name);
    }

    /** The lock a path names; empty for any other path (another parent, a foreign or malformed node). */
    Optional<String> lockNameOfPath(String path) {
        return path.startsWith(locksPrefix) ? lockName(path.substring(locksPrefix.length())) : Optional.empty();
    }

    static String lockNode(String name) {
        return LOCK_PREFIX + escape(name);
    }

    /** The name a lock node stands for; empty for a node that is not one (foreign, or malformed). */
    static Optional<String> lockName(String node) {
        if (!node.startsWith(LOCK_PREFIX)) {
            return Optional.empty();
        }
        return unescape(node.substring(LOCK_PREFIX.length()));
    }

    /**
     * An owner's marker node: {@code o-<escaped owner id>+<escaped lock name>}. The separator
     * {@code +} is always escaped inside both parts, so the pair is recovered exactly.
     */
    static String ownerNode(String ownerId, String name) {
        return "o-" + escape(ownerId) + "+" + escape(name);
    }

    static String escape(String text) {
        StringBuilder out = null;
        String rest = text;
        int unpaired;
        while ((unpaired = LockNames.unpairedSurrogate(rest)) >= 0) {
            if (out == null) {
                out = new StringBuilder(text.length() + 16);
            }
            // An unpaired surrogate has no UTF-8 form: its node has always spelled the code unit,
            // and keeps doing so, so that an older version's node of that name is still the same node.
            out.append(percentEncoded(rest.substring(0, unpaired))).append('~')
                    .append(UPPER_HEX.toHexDigits(rest.charAt(unpaired)));
            rest = rest.substring(unpaired + 1);
        }
        return out == null ? percentEncoded(text) : out.append(percentEncoded(rest)).toString();
    }

    private static String percentEncoded(String wellFormed) {
        // Unbounded room: a node name's length is ZooKeeper's to limit, so no encoding is refused.
        return Objects.requireNonNull(
                LockNames.percentEncoded(LockNames.bytes(wellFormed), PLAIN_PUNCTUATION, Integer.MAX_VALUE));
    }

    private static boolean isPlain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || PLAIN_PUNCTUATION.indexOf(c) >= 0;
    }

    /** The inverse of {@link #escape}; empty if {@code escaped} is not something escape produces. */
    static Optional<String> unescape(String escaped) {
        StringBuilder out = new StringBuilder(escaped.length());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < escaped.length()) {
            char c = escaped.charAt(i);
            if (c == '%') {
                bytes.reset();
                while (i < escaped.length() && escaped.charAt(i) == '%') {
                    int value = hex(escaped, i + 1, 2);
                    if (value < 0) {
                        return Optional.empty();
                    }
                    bytes.write(value);
                    i += 3;
                }
                out.append(bytes.toString(StandardCharsets.UTF_8));
            } else if (c == '~') {
                int value = hex(escaped, i + 1, 4);
                if (value < 0 || !Character.isSurrogate((char) value)) {
                    return Optional.empty();
                }
                out.append((char) value);
                i += 5;
            } else if (isPlain(c)) {
                out.append(c);
                i++;
            } else {
                return Optional.empty();
            }
        }
        String result = out.toString();
        // Only what escape writes decodes: malformed UTF-8, escaped plain characters, lower-case hex
        // or an escaped valid pair would all re-escape differently.
        return escape(result).equals(escaped) ? Optional.of(result) : Optional.empty();
    }

    private static int hex(String s, int from, int digits) {
        if (from + digits > s.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + digits; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || Character.isLowerCase(s.charAt(i))) {
                return -1;
            }
            value = value * 16 + d;
        }
        return value;
    }
}
