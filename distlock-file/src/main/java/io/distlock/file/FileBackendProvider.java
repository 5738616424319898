package io.distlock.file;

import io.distlock.spi.BackendUri;
import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.io.File;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code file:} URIs for {@link FileLockBackend}:
 * <ul>
 *   <li>{@code file:} (or {@code file:?namespace=x}): the {@linkplain FileLockBackend#defaultDirectory() default directory};</li>
 *   <li>{@code file:/var/tmp/locks}, {@code file:///var/tmp/locks}, {@code file://localhost/var/tmp/locks}: that directory;</li>
 *   <li>{@code file:locks}: a directory relative to the working directory (resolved once, when opened).</li>
 * </ul>
 * Parameters: {@code namespace}, {@code group} (a Unix group whose users share the directory:
 * {@code file:/srv/locks?group=ops}), {@code staleHolderDetection} ({@code true}/{@code false}),
 * {@code notifications} ({@code true}/{@code false}), {@code timeout}
 * ({@code 500ms}, {@code 5s} or ISO-8601 such as {@code PT5S}); the old names
 * {@code releaseNotifications} and {@code operationTimeout} are still read, with a warning. The
 * path is percent-decoded; the query follows {@link BackendUri}'s rules, as for every backend (a
 * repeated or unknown parameter is refused; a bare {@code ?notifications} means true).
 */
public final class FileBackendProvider implements LockBackendProvider {
    private static final Set<String> SCHEMES = Set.of("file");
    private static final Set<String> PARAMETERS = Set.of("namespace", "staleHolderDetection", "notifications",
            "timeout", "group", "releaseNotifications", "operationTimeout");

    /** For {@link java.util.ServiceLoader}; applications use {@code LockBackends.open("file:...")}. */
    public FileBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return SCHEMES;
    }

    @Override
    public LockBackend open(String uri) {
        return builderFor(uri).build();
    }

    static FileLockBackend.Builder builderFor(String text) {
        BackendUri uri = BackendUri.parse(text, SCHEMES).requireOnly(PARAMETERS);
        int hash = uri.masked().indexOf('#');
        if (hash >= 0) {
            throw uri.invalid("has a fragment '" + uri.masked().substring(hash) + "', which means nothing here");
        }
        String path;
        if (uri.isHierarchical()) {
            if (uri.user() != null) {
                throw uri.invalid("has user info, which means nothing for a directory of this host: use file:/path");
            }
            List<String> hosts = uri.hosts();
            if (hosts.size() > 1 || hosts.size() == 1 && !hosts.get(0).equalsIgnoreCase("localhost")) {
                throw uri.invalid("names host '" + String.join(",", hosts)
                        + "'; a file backend is a directory of this host: use file:/path");
            }
            path = uri.path();
        } else {
            path = BackendUri.decode(uri.opaquePart(), uri.text());
        }
        if (File.separatorChar == '\\' && path.matches("/[A-Za-z]:.*")) {
            path = path.substring(1);
        }
        FileLockBackend.Builder builder = FileLockBackend.builder();
        if (!path.isEmpty()) {
            try {
                builder.directory(Path.of(path));
            } catch (InvalidPathException e) {
                throw uri.invalid("has an invalid path '" + path + "': " + e.getReason(), e);
            }
        }
        if (uri.has("group")) {
            builder.group(uri.string("group", null));
        }
        return builder.staleHolderDetection(uri.bool("staleHolderDetection", true)).fromUri(uri);
    }
}
