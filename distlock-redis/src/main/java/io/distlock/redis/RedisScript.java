package io.distlock.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts, one per operation, each a single atomic round trip. Their SHA-1 is computed
 * here, so they run with EVALSHA from the first call; a server that does not know a script yet
 * (fresh, restarted, SCRIPT FLUSH) answers NOSCRIPT, and the caller sends it once with EVAL, which
 * also caches it.
 *
 * <p>The lock is a hash with the fields owner, token, host, pid, thread and since (ISO-8601), and
 * a PX lease; the field waiting appears once an acquisition found it busy. EXISTS honours expiry,
 * so a lapsed lease counts as free.
 *
 * <p>No lost wake-up: a waiter's failed attempt sets waiting before it parks, atomically with
 * seeing the lock held, so the release that follows sees the mark and publishes; an attempt after
 * the release finds the lock free or marks the next holder's hash.
 */
enum RedisScript {
    /**
     * KEYS: lock, counter. ARGV: owner, lease ms, host, pid, thread, since. Token, or 0 if busy; a
     * busy answer marks the lock as waited for, so its release knows to announce itself.
     */
    ACQUIRE("""
            if redis.call('exists', KEYS[1]) == 1 then
              redis.call('hset', KEYS[1], 'waiting', '1')
              return 0
            end
            local token = redis.call('incr', KEYS[2])
            redis.call('hset', KEYS[1], 'owner', ARGV[1], 'token', token, 'host', ARGV[3], 'pid', ARGV[4],
              'thread', ARGV[5], 'since', ARGV[6])
            redis.call('pexpire', KEYS[1], ARGV[2])
            return token
            """),

    /**
     * KEYS: lock. ARGV: owner, channel, message. 1 if this owner's lock was deleted, else 0.
     * Announces the release only if someone found the lock busy: an uncontended lock costs no
     * pub/sub traffic.
     */
    RELEASE("""
            local held = redis.call('hmget', KEYS[1], 'owner', 'waiting')
            if held[1] == ARGV[1] then
              redis.call('del', KEYS[1])
              if held[2] then
                redis.call('publish', ARGV[2], ARGV[3])
              end
              return 1
            end
            return 0
            """),

    /** KEYS: lock. ARGV: owner, lease ms. 1 if renewed. */
    EXTEND("""
            if redis.call('hget', KEYS[1], 'owner') == ARGV[1] then
              redis.call('pexpire', KEYS[1], ARGV[2])
              return 1
            end
            return 0
            """),

    /** KEYS: lock. Owner, token, host, pid, thread, since, remaining lease in ms; nil if free. */
    INSPECT("""
            local holder = redis.call('hmget', KEYS[1], 'owner', 'token', 'host', 'pid', 'thread', 'since')
            if not holder[1] then
              return false
            end
            holder[7] = tostring(redis.call('pttl', KEYS[1]))
            return holder
            """),

    /** KEYS: lock. ARGV: channel, message. 1 if a lock was removed (and announced). */
    FORCE_RELEASE("""
            if redis.call('del', KEYS[1]) == 1 then
              redis.call('publish', ARGV[1], ARGV[2])
              return 1
            end
            return 0
            """);

    final String body;
    final String sha;

    RedisScript(String body) {
        this.body = body;
        this.sha = sha1(body);
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }
}
