package io.distlock;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;
import io.distlock.spi.Secrets;

import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Opens a backend from a URI, through the providers on the class or module path. */
public final class LockBackends {
    private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):");
    private LockBackends() {
    }

    /**
     * Opens the backend a URI names: {@code memory:}, and the schemes of every backend module present
     * ({@code file:} with distlock-file, {@code redis://...} with distlock-redis, ...).
     *
     * @throws IllegalArgumentException naming the URI when it is malformed or no provider knows its scheme
     */
    public static LockBackend open(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("backend URI must not be empty");
        }
        String trimmed = uri.trim();
        java.util.regex.Matcher scheme = SCHEME.matcher(trimmed);
        if (!scheme.lookingAt()) {
            throw new IllegalArgumentException("backend URI '" + Secrets.mask(uri) + "' has no scheme; expected one of "
                    + knownSchemes() + ", for example file:/var/lib/distlock or redis://host:6379");
        }
        String wanted = scheme.group(1).toLowerCase(Locale.ROOT);
        for (LockBackendProvider provider : ServiceLoader.load(LockBackendProvider.class, LockBackends.class.getClassLoader())) {
            if (provider.schemes().contains(wanted)) {
                return provider.open(trimmed);
            }
        }
        throw new IllegalArgumentException("no distlock backend for scheme '" + wanted + "' in '" + Secrets.mask(uri)
                + "'; known schemes: " + knownSchemes() + " (add the backend's module to the class path)");
    }

    /** The schemes of every provider present, sorted. */
    public static java.util.SortedSet<String> knownSchemes() {
        TreeSet<String> schemes = new TreeSet<>();
        for (LockBackendProvider provider : ServiceLoader.load(LockBackendProvider.class, LockBackends.class.getClassLoader())) {
            schemes.addAll(provider.schemes());
        }
        return schemes;
    }
}
