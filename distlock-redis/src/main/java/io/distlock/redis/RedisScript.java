package io.distlock.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts, one per operation, each a single atomic round trip. Their SHA-1 is computed
 * here, so they run with EVALSHA from the first call; a server that does not know a script yet
 * (fresh, restarted, SCRIPT FLUSH) answers NOSCRIPT, and {@link ScriptRunner} sends it once with
 * EVAL, which also caches it.
 *
 * <p>The lock is a hash. Held, it has three fields and a PX lease: owner, token, and holder
 * ({@code "<acquired at, epoch ns> <pid> <host> <thread>"}, see {@link HolderCodec}). Between
 * holders it may be <i>reserved</i>: the field reserved names the manager whose turn it is, with a
 * short PX and no owner; only that manager can take it, and a reservation is not a held lock
 * (inspect and list do not show it).
 *
 * <p>The queue of waiting managers lives in the same hash, so it shares the lock's slot in
 * Cluster and disappears with it: a field {@code q:<manager id>} per manager whose try found the
 * lock busy, valued {@code "<seq> <last try, server ms> <freshness ms> <reservation ms>"}; seq
 * comes from the field qseq and fixes the FIFO order; the rest is rewritten by every busy try, the
 * two windows derived from that manager's retry interval ({@link TurnTiming}). The release hands
 * the lock to the oldest entry still fresh by its own window (stale ones are dropped): it removes
 * the owner's fields and that entry, marks the hash reserved for that manager for that entry's
 * reservation, and publishes the lock key on that manager's own channel, so only that manager
 * hears of it and tries. If no entry is fresh, the hash is deleted and the release published on
 * the namespace's channel, to everyone, like a lock nobody queued for. An entry is removed when its
 * turn comes, so a manager that stopped waiting holds the lock up for at most one reservation.
 *
 * <p>No lost wake-up: a waiter's failed attempt enqueues it before it parks, atomically with
 * seeing the lock held, so the release that follows sees it and publishes; an attempt after the
 * release finds the lock free or reserved (for it, or it enqueues again).
 */
enum RedisScript {
    /**
     * KEYS: lock, counter. ARGV: owner, lease ms, manager id, holder, and for a caller that will
     * wait, its windows {@code "<freshness ms> <reservation ms>"}. The token if taken; if held or
     * reserved for another manager: 0 to a caller that will wait, after enqueueing its manager
     * (or refreshing its entry); to a caller that will not, the holder as {@link #INSPECT} answers
     * it (or 0 when the lock is only reserved), so a failed try-once needs no second round trip.
     */
    ACQUIRE("""
            local state = redis.call('hmget', KEYS[1], 'owner', 'reserved')
            if state[1] or (state[2] and state[2] ~= ARGV[3]) then
              if not ARGV[5] then
                if not state[1] then
                  return 0
                end
                local holder = redis.call('hmget', KEYS[1], 'owner', 'token', 'holder')
                holder[4] = tostring(redis.call('pttl', KEYS[1]))
                return holder
              end
              local entry = 'q:' .. ARGV[3]
              local queued = redis.call('hget', KEYS[1], entry)
              local seq = queued and string.match(queued, '^%d+') or redis.call('hincrby', KEYS[1], 'qseq', 1)
              local now = redis.call('time')
              redis.call('hset', KEYS[1], entry, seq .. ' ' .. (now[1] * 1000 + math.floor(now[2] / 1000)) .. ' ' .. ARGV[5])
              return 0
            end
            local token = redis.call('incr', KEYS[2])
            if state[2] then
              redis.call('hdel', KEYS[1], 'reserved')
            end
            redis.call('hset', KEYS[1], 'owner', ARGV[1], 'token', token, 'holder', ARGV[4])
            redis.call('pexpire', KEYS[1], ARGV[2])
            return token
            """),

    /**
     * KEYS: lock, counter. ARGV: owner, channel, releasing manager id, and for a hand-over also:
     * next owner, its lease ms, its holder. -1 if this owner did not hold the lock (nothing
     * changes), 0 if it was released, else the next owner's token.
     *
     * <p>A hand-over passes the lock to the next owner, a waiter of the releasing manager, with a
     * new token, unless the oldest fresh waiting manager is another one: then, as with every
     * release, that manager's turn comes first (a reservation for as long as its entry asks, and
     * the lock key published on {@code "<channel>:<its id>"}). With no fresh waiter, a plain
     * release deletes the lock and, only if someone had queued, publishes
     * {@code "<releasing id> <lock key>"} on the channel, to everyone.
     */
    RELEASE("""
            local held = redis.call('hmget', KEYS[1], 'owner', 'qseq')
            if held[1] ~= ARGV[1] then
              return -1
            end
            local head, headSeq, reservation, queued = nil, nil, nil, false
            if held[2] then
              local fields = redis.call('hgetall', KEYS[1])
              local now = redis.call('time')
              local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
              for i = 1, #fields, 2 do
                if string.sub(fields[i], 1, 2) == 'q:' then
                  queued = true
                  local seq, seen, fresh, reserve = string.match(fields[i + 1], '^(%d+) (%d+) (%d+) (%d+)$')
                  seq = tonumber(seq)
                  if not seq or tonumber(seen) + tonumber(fresh) < nowMs then
                    redis.call('hdel', KEYS[1], fields[i])
                  elseif not headSeq or seq < headSeq then
                    head, headSeq, reservation = fields[i], seq, reserve
                  end
                end
              end
            end
            if ARGV[4] and (not head or head == 'q:' .. ARGV[3]) then
              if head then
                redis.call('hdel', KEYS[1], head)
              end
              local token = redis.call('incr', KEYS[2])
              redis.call('hset', KEYS[1], 'owner', ARGV[4], 'token', token, 'holder', ARGV[6])
              redis.call('pexpire', KEYS[1], ARGV[5])
              return token
            end
            if not head then
              redis.call('del', KEYS[1])
              if queued then
                redis.call('publish', ARGV[2], ARGV[3] .. ' ' .. KEYS[1])
              end
              return 0
            end
            local manager = string.sub(head, 3)
            redis.call('hdel', KEYS[1], 'owner', 'token', 'holder', head)
            redis.call('hset', KEYS[1], 'reserved', manager)
            redis.call('pexpire', KEYS[1], reservation)
            redis.call('publish', ARGV[2] .. ':' .. manager, KEYS[1])
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

    /** KEYS: lock. Owner, token, holder, remaining lease in ms; nil if free or reserved. */
    INSPECT("""
            local holder = redis.call('hmget', KEYS[1], 'owner', 'token', 'holder')
            if not holder[1] then
              return false
            end
            holder[4] = tostring(redis.call('pttl', KEYS[1]))
            return holder
            """),

    /**
     * KEYS: lock. ARGV: channel, releasing manager id. Deletes the lock with its reservation and
     * queue, and announces it to everyone. 1 if a held lock was removed.
     */
    FORCE_RELEASE("""
            local owner = redis.call('hget', KEYS[1], 'owner')
            if redis.call('del', KEYS[1]) == 1 then
              redis.call('publish', ARGV[1], ARGV[2] .. ' ' .. KEYS[1])
            end
            if owner then
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
