package io.distlock.file;

import io.distlock.spi.Durations;
import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
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
    /** For {@link java.util.ServiceLoader}; applications use {@code LockBackends.open("file:...")}. */
    public FileBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public LockBackend open(String uri) {
        return builderFor(uri).build();
    }

    static FileLockBackend.Builder builderFor(String uri) {
        if (uri == null || !uri.regionMatches(true, 0, "file:", 0, 5)) {
            throw new IllegalArgumentException("file backend URI must start with 'file:' but was '" + uri + "'");
        }
        String rest = uri.substring(5);
        if (rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("file backend URI '" + uri + "' has a fragment '"
                    + rest.substring(rest.indexOf('#')) + "', which means nothing here");
        }
        int mark = rest.indexOf('?');
        String path = mark < 0 ? rest : rest.substring(0, mark);
        String query = mark < 0 ? "" : rest.substring(mark + 1);
        if (path.startsWith("//")) {
            int slash = path.indexOf('/', 2);
            String host = slash < 0 ? path.substring(2) : path.substring(2, slash);
            if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
                throw new IllegalArgumentException("file backend URI '" + uri + "' names host '" + host
                        + "'; a file backend is a directory of this host: use file:/path");
            }
            path = slash < 0 ? "" : path.substring(slash);
        }
        path = decode(uri, path);
        if (File.separatorChar == '\\' && path.matches("/[A-Za-z]:.*")) {
            path = path.substring(1);
        }
        FileLockBackend.Builder builder = FileLockBackend.builder();
        if (!path.isEmpty()) {
            try {
                builder.directory(Path.of(path));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("file backend URI '" + uri + "' has an invalid path '" + path
                        + "': " + e.getReason(), e);
            }
        }
        if (!query.isEmpty()) {
            for (String parameter : query.split("&")) {
                applyParameter(uri, builder, decode(uri, parameter));
            }
        }
        return builder;
    }

    /** Undoes %XX escapes (UTF-8), as in any URI; a literal '%' is written %25. */
    private static String decode(String uri, String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("file backend URI '" + uri + "' has a malformed escape at '"
                            + text.substring(i, Math.min(text.length(), i + 3)) + "' (write a literal % as %25)");
                }
                bytes.write(Integer.parseInt(text, i + 1, i + 3, 16));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    encoded = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(encoded);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void applyParameter(String uri, FileLockBackend.Builder builder, String parameter) {
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

    private static boolean bool(String uri, String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("file backend URI '" + uri + "': " + key
                    + " must be true or false but was '" + value + "'");
        };
    }

    private static Duration duration(String uri, String key, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("file backend URI '" + uri + "': " + key + " must be a duration like "
                    + Durations.EXAMPLES + " or PT5S but was '" + value + "'", e);
        }
    }
}
