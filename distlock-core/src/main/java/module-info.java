/**
 * distlock: named locks that hold across every thread, process and server of a cluster.
 * Only the API ({@code io.distlock}), the backend SPI ({@code io.distlock.spi}) and the in-memory
 * backend's entry point are exported; the engine ({@code io.distlock.internal}) is not.
 * {@code io.distlock.internal.locked}, the one reader of {@code @Locked}, is exported to the Spring
 * starter alone (the module {@code io.distlock.spring}), which runs the same plan as
 * {@code LockManager.proxy}; an application cannot reach it, so it stays out of the API.
 */
// The starter is built after this module, so javac cannot find io.distlock.spring here; without this
// every build warns "module not found".
@SuppressWarnings("module")
module io.distlock {
    requires org.slf4j;

    exports io.distlock;
    exports io.distlock.spi;
    exports io.distlock.memory;
    exports io.distlock.internal.locked to io.distlock.spring;

    uses io.distlock.spi.LockBackendProvider;

    provides io.distlock.spi.LockBackendProvider with io.distlock.memory.InMemoryBackendProvider;
}
