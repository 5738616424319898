/** distlock's Redis backend, on Lettuce. */
module io.distlock.redis {
    requires transitive io.distlock;
    requires lettuce.core;
    // Annotations for the build's checkers (nullness, locking); not needed at run time.
    requires static org.jspecify;

    exports io.distlock.redis;

    provides io.distlock.spi.LockBackendProvider with io.distlock.redis.RedisBackendProvider;
}
