package io.distlock.redis;

import io.distlock.spi.BackendEvents;
import io.lettuce.core.pubsub.RedisPubSubAdapter;

/**
 * Turns the two channels' messages into the engine's release signals ({@link RedisKeys} names the
 * channels, {@link RedisScript#RELEASE} writes the messages):
 *
 * <ul>
 *   <li>on this backend's own turn channel, the lock key: a release handed this manager its turn;</li>
 *   <li>on the namespace's channel, {@code "<releasing manager id> <lock key>"}: a lock was
 *       released to everyone. This manager's own messages are dropped, since the engine already
 *       woke its waiters when it released; otherwise every local hand-off would wake the next
 *       local waiter a second time.</li>
 * </ul>
 *
 * Anything else (a key of another namespace, a malformed message) is ignored.
 */
final class ReleaseMessages extends RedisPubSubAdapter<String, String> {
    private final RedisKeys keys;
    private final String managerId;
    private final String turnChannel;
    private final BackendEvents events;

    ReleaseMessages(RedisKeys keys, String managerId, String turnChannel, BackendEvents events) {
        this.keys = keys;
        this.managerId = managerId;
        this.turnChannel = turnChannel;
        this.events = events;
    }

    @Override
    public void message(String channel, String message) {
        if (channel.equals(turnChannel)) {
            keys.nameOf(message).ifPresent(events::released);
            return;
        }
        // Lock keys may hold spaces; manager ids do not.
        int space = message.indexOf(' ');
        if (!channel.equals(keys.channel()) || space <= 0) {
            return;
        }
        boolean own = space == managerId.length() && message.startsWith(managerId);
        if (!own) {
            keys.nameOf(message.substring(space + 1)).ifPresent(events::released);
        }
    }
}
