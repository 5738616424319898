package io.distlock.spi;

/**
 * The one rule for a namespace, the prefix that keeps one application's locks apart from
 * another's on a shared server (contract rule 7.2; docs/lock-contract.md, "Vocabulary"): 1 to 100
 * characters of {@code A-Z a-z 0-9 . _ : -}. Every backend checks its namespace here and nowhere
 * else, so a namespace valid for one backend is valid for all of them. The alphabet has no
 * character that ends a key ({@code /}), escapes one ({@code %}), tags a Redis Cluster slot
 * (<code>{}</code>) or separates memcached's words (space), so each backend may build keys from a
 * namespace verbatim; a backend that stores it where a character of it means something else (a
 * directory name on Windows cannot hold {@code :}) encodes it with {@link LockNames}.
 */
public final class Namespaces {
    /** The namespace of every backend that is given none. */
    public static final String DEFAULT = "distlock";
    /** The longest namespace, in characters. */
    public static final int MAX_LENGTH = 100;
    /** The rule in words, for messages and documentation. */
    public static final String RULE = "1 to " + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ : -";

    private Namespaces() {
    }

    /** True if {@code namespace} follows the rule. */
    public static boolean isValid(String namespace) {
        if (namespace == null || namespace.isEmpty() || namespace.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < namespace.length(); i++) {
            char c = namespace.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code namespace} if it follows the rule.
     *
     * @throws IllegalArgumentException naming the value (through {@link Printable}, so a control
     *                                  character in it cannot garble a log) and the rule
     */
    public static String requireValid(String namespace) {
        if (!isValid(namespace)) {
            throw new IllegalArgumentException(problem(namespace));
        }
        return namespace;
    }

    /**
     * Returns {@code namespace} if it follows the rule.
     *
     * @throws IllegalArgumentException as {@link BackendUri#invalid} does, quoting the masked URI
     */
    public static String requireValid(String namespace, BackendUri uri) {
        if (!isValid(namespace)) {
            throw uri.invalid("has " + problem(namespace));
        }
        return namespace;
    }

    private static String problem(String namespace) {
        String shown = namespace == null ? "null" : "'" + Printable.of(namespace.length() <= 120 ? namespace
                : namespace.substring(0, 117) + "...") + "'";
        return "namespace " + shown + ", which must be " + RULE;
    }
}
