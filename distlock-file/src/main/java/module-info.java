/**
 * distlock's embedded default backend: named locks recorded in the stripe files of a directory,
 * shared by the threads and processes of one host. Its public types are the backend
 * ({@code FileLockBackend} and its builder) and the {@code file:} provider; the rest is
 * package-private.
 */
module io.distlock.file {
    requires transitive io.distlock;
    requires org.slf4j;
    // Annotations for the build's checkers (nullness, locking); not needed at run time.
    requires static org.jspecify;

    exports io.distlock.file;

    provides io.distlock.spi.LockBackendProvider with io.distlock.file.FileBackendProvider;
}
