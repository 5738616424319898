/** distlock's memcached backend, on xmemcached. Only the entry point is exported. */
module io.distlock.memcached {
    requires transitive io.distlock;
    requires xmemcached;
    requires org.slf4j;
    // Annotations for the build's checkers (nullness, locking); not needed at run time.
    requires static org.jspecify;

    exports io.distlock.memcached;

    provides io.distlock.spi.LockBackendProvider with io.distlock.memcached.MemcachedBackendProvider;
}
