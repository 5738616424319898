package io.distlock.file;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/**
 * {@code file:} URIs for {@link FileLockBackend}:
 * <ul>
 *   <li>{@code file:} (or {@code file:?namespace=x}): the {@linkplain FileLockBackend#defaultDirectory() default directory};</li>
 *   <li>{@code file:/var/tmp/locks}, {@code file:///var/tmp/locks}, {@code file://localhost/var/tmp/locks}: that directory;</li>
 *   <li>{@code file:locks}: a directory relative to the working directory (resolved once, when opened).</li>
 * </ul>
 * Parameters: {@code namespace}, {@code staleHolderDetection} ({@code true}/{@code false}),
 * {@code releaseNotifications} ({@code true}/{@code false}), {@code operationTimeout}
 * ({@code 500ms}, {@code 5s} or ISO-8601 such as {@code PT5S}).
 */
public final class FileBackendProvider implements LockBackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public LockBackend open(URI uri) {
        return builderFor(uri).build();
    }

    static FileLockBackend.Builder builderFor(URI uri) {
        String path;
        String query;
        if (uri.isOpaque()) {
            String rest = uri.getSchemeSpecificPart();
            int mark = rest.indexOf('?');
            path = mark < 0 ? rest : rest.substring(0, mark);
            query = mark < 0 ? null : rest.substring(mark + 1);
        } else {
            String host = uri.getAuthority();
            if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
                throw new IllegalArgumentException("file backend URI '" + uri + "' names host '" + host
                        + "'; a file backend is a directory of this host: use file:/path");
            }
            path = uri.getPath();
            query = uri.getQuery();
        }
        if (uri.getFragment() != null) {
            throw new IllegalArgumentException("file backend URI '" + uri + "' has a fragment '#" + uri.getFragment()
                    + "', which means nothing here");
        }
        FileLockBackend.Builder builder = FileLockBackend.builder();
        if (path != null && !path.isEmpty()) {
            try {
                builder.directory(Path.of(path));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("file backend URI '" + uri + "' has an invalid path '" + path
                        + "': " + e.getReason(), e);
            }
        }
        if (query != null && !query.isEmpty()) {
            for (String parameter : query.split("&")) {
                applyParameter(uri, builder, parameter);
            }
        }
        return builder;
    }

    private static void applyParameter(URI uri, FileLockBackend.Builder builder, String parameter) {
        int equals = parameter.indexOf('=');
        String key = equals < 0 ? parameter : parameter.substring(0, equals);
        String value = equals < 0 ? "" : parameter.substring(equals + 1);
        switch (key) {
            case "namespace" -> builder.namespace(value);
            case "staleHolderDetection" -> builder.staleHolderDetection(bool(uri, key, value));
            case "releaseNotifications" -> builder.releaseNotifications(bool(uri, key, value));
            case "operationTimeout" -> builder.operationTimeout(duration(uri, key, value));
            default -> throw new IllegalArgumentException("file backend URI '" + uri + "' has unknown parameter '"
                    + key + "'; known: namespace, staleHolderDetection, releaseNotifications, operationTimeout");
        }
    }

    private static boolean bool(URI uri, String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("file backend URI '" + uri + "': " + key
                    + " must be true or false but was '" + value + "'");
        };
    }

    private static Duration duration(URI uri, String key, String value) {
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s") && !value.startsWith("P")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.parse(value);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("file backend URI '" + uri + "': " + key + " must be like 500ms, 5s "
                    + "or PT5S but was '" + value + "'", e);
        }
    }
}
