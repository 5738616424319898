/**
 * distlock: named locks that hold across every thread, process and server of a cluster.
 * Only the API ({@code io.distlock}), the backend SPI ({@code io.distlock.spi}) and the in-memory
 * backend's entry point are exported; the engine ({@code io.distlock.internal}) is not.
 */
module io.distlock {
    requires org.slf4j;

    exports io.distlock;
    exports io.distlock.spi;
    exports io.distlock.memory;

    uses io.distlock.spi.LockBackendProvider;

    provides io.distlock.spi.LockBackendProvider with io.distlock.memory.InMemoryBackendProvider;
}
