package io.distlock.benchmarks.redis;

import io.distlock.benchmarks.harness.LockClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The protocol's minimum: SET key owner NX PX to take, a compare-and-delete script to release,
 * one shared connection. No waiting (used only where the lock is never busy), no metadata, no token.
 */
final class RawLettuceClient implements LockClient {
    private static final String COMPARE_AND_DELETE =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
    private static final SetArgs NX_PX = SetArgs.Builder.nx().px(30_000);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> commands;
    private final String sha;
    private final String prefix = UUID.randomUUID() + "-";
    private final AtomicLong owners = new AtomicLong();

    RawLettuceClient(String uri) {
        client = RedisClient.create(uri);
        connection = client.connect(StringCodec.UTF8);
        commands = connection.sync();
        sha = commands.scriptLoad(COMPARE_AND_DELETE);
    }

    @Override
    public Held acquire(String name) {
        String key = "raw:" + name;
        String owner = prefix + owners.incrementAndGet();
        if (!"OK".equals(commands.set(key, owner, NX_PX))) {
            throw new IllegalStateException("raw baseline found '" + name + "' busy; it only runs uncontended");
        }
        return () -> commands.evalsha(sha, ScriptOutputType.INTEGER, new String[] {key}, owner);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
