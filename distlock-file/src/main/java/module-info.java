/**
 * distlock's embedded default backend: a directory of lock files on one host, shared by its
 * threads and processes. Exports only the backend's entry point.
 */
module io.distlock.file {
    requires transitive io.distlock;
    requires org.slf4j;

    exports io.distlock.file;

    provides io.distlock.spi.LockBackendProvider with io.distlock.file.FileBackendProvider;
}
