/** distlock's Redis backend, on Lettuce. */
module io.distlock.redis {
    requires transitive io.distlock;
    requires lettuce.core;

    exports io.distlock.redis;

    provides io.distlock.spi.LockBackendProvider with io.distlock.redis.RedisBackendProvider;
}
