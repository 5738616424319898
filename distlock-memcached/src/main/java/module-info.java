/** distlock's memcached backend, on xmemcached. Only the entry point is exported. */
module io.distlock.memcached {
    requires transitive io.distlock;
    requires xmemcached;
    requires org.slf4j;

    exports io.distlock.memcached;

    provides io.distlock.spi.LockBackendProvider with io.distlock.memcached.MemcachedBackendProvider;
}
