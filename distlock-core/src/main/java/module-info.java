/**
 * distlock: named locks that hold across every thread, process and server of a cluster.
 * Only the API, the backend SPI and the embedded backends' entry points are exported; the engine
 * stays internal.
 */
module io.distlock {
    requires org.slf4j;

    exports io.distlock;
    exports io.distlock.spi;
    exports io.distlock.memory;
    exports io.distlock.file;

    uses io.distlock.spi.LockBackendProvider;

    provides io.distlock.spi.LockBackendProvider with io.distlock.memory.InMemoryBackendProvider,
            io.distlock.file.FileBackendProvider;
}
