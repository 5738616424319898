package io.distlock.testkit.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fixture's own look at its nodes and sentinels, independent of the backend under test: one
 * Lettuce client (one set of threads, however often the fixture polls), one connection per port,
 * kept open. A node that is down or paused fails a command at once or within 2 s, never hangs a
 * poll; a caller that polls treats the exception as "not yet".
 */
final class FixtureClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final RedisClient client = RedisClient.create();
    private final Map<Integer, StatefulRedisConnection<String, String>> nodes = new ConcurrentHashMap<>();
    private final Map<Integer, StatefulRedisSentinelConnection<String, String>> sentinels = new ConcurrentHashMap<>();

    FixtureClient() {
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    }

    RedisCommands<String, String> node(int port) {
        return nodes.computeIfAbsent(port, p -> client.connect(StringCodec.UTF8, uri(p))).sync();
    }

    RedisSentinelCommands<String, String> sentinel(int port) {
        return sentinels.computeIfAbsent(port, p -> client.connectSentinel(StringCodec.UTF8, uri(p))).sync();
    }

    /** A field of {@code INFO <section>} of the node on {@code port}, or null if it has none. */
    String info(int port, String section, String field) {
        String prefix = field + ":";
        return node(port).info(section).lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length()).trim()).findFirst().orElse(null);
    }

    private static RedisURI uri(int port) {
        return RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(TIMEOUT).build();
    }

    @Override
    public void close() {
        nodes.values().forEach(StatefulRedisConnection::close);
        sentinels.values().forEach(StatefulRedisSentinelConnection::close);
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
