package io.distlock.redis;

import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisReactiveCommandsImpl;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.protocol.PushHandler;
import io.lettuce.core.pubsub.PubSubEndpoint;
import io.lettuce.core.pubsub.RedisPubSubReactiveCommandsImpl;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnectionImpl;
import io.lettuce.core.pubsub.api.sync.RedisPubSubCommands;
import io.lettuce.core.resource.ClientResources;
import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * Lettuce's standalone client, whose connections build their synchronous and reactive APIs on
 * first use instead of in their constructor. distlock uses only the asynchronous API. The
 * synchronous one is a dynamic proxy over the whole command interface (some 400 methods), built
 * with a reflective look-up of every method: for the two connections a backend opens, that was
 * a fifth of the CPU time of a command-line run on Redis (distlock-benchmarks' StartupBenchmark,
 * README). Anything that does ask for {@code sync()} or {@code reactive()} (code of Lettuce's own
 * included) still gets them, built then.
 *
 * <p>Uses only what Lettuce 6 has as well: the connection factories Lettuce keeps overridable for
 * this purpose ({@code newStatefulRedisConnection}, {@code newStatefulRedisPubSubConnection}) and
 * the connections' four-argument constructors.
 */
final class AsyncApiRedisClient extends RedisClient {
    AsyncApiRedisClient(ClientResources resources) {
        // RedisClient.create(resources) passes an empty URI too: every connect names its own.
        super(resources, new RedisURI());
    }

    @Override
    protected <K, V> StatefulRedisConnectionImpl<K, V> newStatefulRedisConnection(RedisChannelWriter writer,
            PushHandler pushHandler, RedisCodec<K, V> codec, Duration timeout) {
        return new Connection<>(writer, pushHandler, codec, timeout);
    }

    @Override
    protected <K, V> StatefulRedisPubSubConnectionImpl<K, V> newStatefulRedisPubSubConnection(
            PubSubEndpoint<K, V> endpoint, RedisChannelWriter writer, RedisCodec<K, V> codec, Duration timeout) {
        return new PubSubConnection<>(endpoint, writer, codec, timeout);
    }

    private static final class Connection<K, V> extends StatefulRedisConnectionImpl<K, V> {
        private @Nullable RedisCommands<K, V> syncApi;
        private @Nullable RedisReactiveCommandsImpl<K, V> reactiveApi;

        Connection(RedisChannelWriter writer, PushHandler pushHandler, RedisCodec<K, V> codec, Duration timeout) {
            super(writer, pushHandler, codec, timeout);
        }

        @Override
        protected @Nullable RedisCommands<K, V> newRedisSyncCommandsImpl() {
            return null; // the constructor's; built by sync() when asked for
        }

        @Override
        protected @Nullable RedisReactiveCommandsImpl<K, V> newRedisReactiveCommandsImpl() {
            return null; // the constructor's; built by reactive() when asked for
        }

        @Override
        public synchronized RedisCommands<K, V> sync() {
            if (syncApi == null) {
                syncApi = super.newRedisSyncCommandsImpl();
            }
            return syncApi;
        }

        @Override
        public synchronized RedisReactiveCommandsImpl<K, V> reactive() {
            if (reactiveApi == null) {
                reactiveApi = super.newRedisReactiveCommandsImpl();
            }
            return reactiveApi;
        }
    }

    private static final class PubSubConnection<K, V> extends StatefulRedisPubSubConnectionImpl<K, V> {
        private @Nullable RedisPubSubCommands<K, V> syncApi;
        private @Nullable RedisPubSubReactiveCommandsImpl<K, V> reactiveApi;

        PubSubConnection(PubSubEndpoint<K, V> endpoint, RedisChannelWriter writer, RedisCodec<K, V> codec,
                         Duration timeout) {
            super(endpoint, writer, codec, timeout);
        }

        @Override
        protected @Nullable RedisPubSubCommands<K, V> newRedisSyncCommandsImpl() {
            return null; // the constructor's; built by sync() when asked for
        }

        @Override
        protected @Nullable RedisPubSubReactiveCommandsImpl<K, V> newRedisReactiveCommandsImpl() {
            return null; // the constructor's; built by reactive() when asked for
        }

        @Override
        public synchronized RedisPubSubCommands<K, V> sync() {
            if (syncApi == null) {
                syncApi = super.newRedisSyncCommandsImpl();
            }
            return syncApi;
        }

        @Override
        public synchronized RedisPubSubReactiveCommandsImpl<K, V> reactive() {
            if (reactiveApi == null) {
                reactiveApi = super.newRedisReactiveCommandsImpl();
            }
            return reactiveApi;
        }
    }
}
