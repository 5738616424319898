package io.distlock.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;

import java.time.Duration;

/** A plain Lettuce connection for tests to look at what the backend wrote, independent of it. */
final class RawRedis implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    RawRedis(int port) {
        this(RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(Duration.ofSeconds(5)).build());
    }

    RawRedis(RedisURI uri) {
        client = RedisClient.create(uri);
        connection = client.connect(StringCodec.UTF8);
    }

    RedisCommands<String, String> sync() {
        return connection.sync();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
