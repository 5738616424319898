package io.distlock.file;

import io.distlock.spi.BackendOptions;
import io.distlock.spi.BackendUri;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a {@link FileLockBackend} is built with, checked and resolved: the builder's values, else
 * the URI's ({@link FileBackendProvider}), else the defaults.
 *
 * @param directory        the base directory, absolute and normalized
 * @param defaultDirectory whether it is {@link FileLockBackend#defaultDirectory()}, which belongs to one user
 * @param group            the group sharing the directory, or null for owner-only
 */
record FileSettings(Path directory, boolean defaultDirectory, String namespace, String group,
                    boolean staleHolderDetection, boolean notifications, Duration timeout) {

    /**
     * @param directory null for {@link FileLockBackend#defaultDirectory()}
     * @param uri       null when built without a URI
     */
    static FileSettings resolve(Path directory, String group, boolean staleHolderDetection, BackendOptions options,
                                BackendUri uri) {
        boolean byDefault = directory == null;
        if (byDefault && group != null) {
            throw new IllegalArgumentException("group '" + group + "' needs a directory that the group's "
                    + "users share, e.g. file:/srv/locks?group=" + group + "; the default directory belongs "
                    + "to one user");
        }
        Path base = (byDefault ? FileLockBackend.defaultDirectory() : directory).toAbsolutePath().normalize();
        String where = "file backend " + base;
        return new FileSettings(base, byDefault, options.resolveNamespace(uri), group, staleHolderDetection,
                options.resolveNotifications(uri, true, FileLockBackend.class, where),
                options.resolveTimeout(uri, FileLockBackend.DEFAULT_TIMEOUT, FileLockBackend.class, where));
    }

    /** The URI that opens the same backend, without the settings left at their defaults but the timeouts. */
    String describe() {
        StringBuilder uri = new StringBuilder("file:").append(directory.toString().replace(File.separatorChar, '/'));
        char separator = '?';
        if (!namespace.equals(FileLockBackend.DEFAULT_NAMESPACE)) {
            uri.append(separator).append("namespace=").append(namespace);
            separator = '&';
        }
        if (group != null) {
            uri.append(separator).append("group=").append(group);
        }
        return uri.toString();
    }
}
