package io.distlock.file;

import java.nio.file.Path;

/**
 * The stripe file that records a name while it is held, found as a person would: under the
 * backend's public directory and namespace, by the mapping {@link FileKeysTest} pins to literal
 * paths ({@code <directory>/<namespace>/stripes/NN}, {@code NN} = {@link FileKeys#stripeOf}).
 */
final class StripeFiles {
    private StripeFiles() {
    }

    static Path of(FileLockBackend backend, String name) {
        Path root = backend.directory().resolve(FileKeys.directoryOf(backend.namespace()));
        return Layout.stripesDirectory(root).resolve(Layout.fileName(FileKeys.stripeOf(name)));
    }
}
