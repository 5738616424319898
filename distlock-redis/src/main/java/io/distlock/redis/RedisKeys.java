package io.distlock.redis;

import io.distlock.spi.LockNames;
import io.lettuce.core.cluster.SlotHash;

import java.util.Optional;

/**
 * Where a namespace's locks live in Redis. Deterministic and injective, the same in every JVM:
 *
 * <ul>
 *   <li>lock {@code name}: the hash {@code <ns>/lock:<name>}, the name's bytes verbatim
 *       ({@link LockNames#bytes}: UTF-8; Redis keys are binary-safe, so every name of at most 1024
 *       bytes fits as it is). The client sends keys as UTF-8 text, which has no form for an unpaired
 *       surrogate, so a name with one is refused ({@link LockNames#requireWellFormed}, as the engine
 *       does) rather than sent as {@code ?}: no two names share a key.</li>
 *   <li>fencing tokens: one counter, {@code <ns>/token}, on a single node or Sentinel. In Redis
 *       Cluster a script may only touch keys of one hash slot, and one counter cannot share a slot
 *       with every lock key, so there is one counter per slot, {@code <ns>/token:{t}}, where the
 *       hash tag {@code t} is a short string chosen to hash to the lock key's own slot. A name
 *       always maps to the same slot, hence the same counter: tokens still strictly increase per
 *       name, at most 16384 counters exist per namespace, and locks spread over every shard.</li>
 *   <li>release notifications: the channel {@code <ns>/released}, to everyone, carrying the
 *       releasing backend's id, a space and the lock key; and the channel
 *       {@code <ns>/released:<backend id>}, one per backend, carrying the lock key when a release
 *       hands that backend its turn. The queue of waiting backends lives in the lock's own hash
 *       ({@link RedisScript}), so it needs no key, hence no slot, of its own.</li>
 * </ul>
 *
 * The namespace admits no braces, so a hash tag in a key can only come from the name itself, and
 * the counter is always picked by the slot of the actual lock key; nor a {@code /}, which ends it
 * in every key, so namespaces that are prefixes of each other never share a key.
 */
final class RedisKeys {
    /** Ends the namespace in every key and channel; the namespace rule ({@code Namespaces}) refuses it. */
    static final char NAMESPACE_END = '/';
    private final String lockPrefix;
    private final String tokenKey;
    private final String channel;
    private final boolean cluster;

    RedisKeys(String namespace, boolean cluster) {
        // The namespace ends with a character no namespace may contain, so no key of one namespace
        // is a key of another, even when one namespace is a prefix of the other ("app" and
        // "app:lock" once shared "app:lock:lock:x"; contract 7.2).
        String base = namespace + NAMESPACE_END;
        this.lockPrefix = base + "lock:";
        this.tokenKey = base + "token";
        this.channel = base + "released";
        this.cluster = cluster;
    }

    String lockKey(String name) {
        return lockPrefix + LockNames.requireWellFormed(name);
    }

    /** The counter that issues tokens for {@code lockKey}. */
    String tokenKey(String lockKey) {
        if (!cluster) {
            return tokenKey;
        }
        return tokenKey + ":{" + SlotTags.TAGS[SlotHash.getSlot(lockKey)] + "}";
    }

    String channel() {
        return channel;
    }

    /** The name a lock key stands for; empty for a key that is not one of this namespace's locks. */
    Optional<String> nameOf(String key) {
        if (key.startsWith(lockPrefix)) {
            return Optional.of(key.substring(lockPrefix.length()));
        }
        return Optional.empty();
    }

    /**
     * SCAN patterns that cover every lock whose name starts with {@code prefix}. They may match
     * more (a prefix ending inside a character is cut before it); callers filter by name.
     */
    String[] scanPatterns(String prefix) {
        return new String[] {escapeGlob(lockPrefix + wellFormedStart(prefix)) + "*"};
    }

    /** The longest start of {@code s} that ends on a whole character. */
    private static String wellFormedStart(String s) {
        int end = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int length = Character.charCount(cp);
            if (Character.isSurrogate(s.charAt(i)) && length == 1) {
                break;
            }
            i += length;
            end = i;
        }
        return s.substring(0, end);
    }

    static String escapeGlob(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** For every cluster slot, a short hash tag that lands in it; built on first use in cluster mode. */
    static final class SlotTags {
        static final String[] TAGS = build();

        private static String[] build() {
            String[] tags = new String[SlotHash.SLOT_COUNT];
            int missing = tags.length;
            for (int i = 0; missing > 0; i++) {
                String candidate = Integer.toString(i, 36);
                int slot = SlotHash.getSlot(candidate);
                if (tags[slot] == null) {
                    tags[slot] = candidate;
                    missing--;
                }
            }
            return tags;
        }
    }
}
