package io.distlock.spi;

import org.jetbrains.annotations.Contract;
import org.jspecify.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one parser of backend URIs, so that every backend and the command line read them alike:
 *
 * <ul>
 *   <li>hierarchical: {@code scheme://[user[:password]@]host[:port][,host[:port]...][/path][?query][#fragment]}
 *       ({@code redis://:secret@h:6379/0}, {@code memcached://h1:11211,h2:11211},
 *       {@code zookeeper://h1:2181,h2:2181/chroot});</li>
 *   <li>opaque: {@code scheme:[anything][?query]} ({@code file:/var/lib/locks}, {@code file:},
 *       {@code memory:}, {@code jdbc:postgresql://h/db?user=u}); the part before the query is kept
 *       as written, for the backend to read.</li>
 * </ul>
 *
 * <p>Query parameters follow one set of rules everywhere: {@code name=value} pairs separated by
 * {@code &}, percent-decoded as UTF-8; a repeated parameter is refused; a parameter written without
 * a value ({@code ?cluster}) has the empty value, which a boolean reads as {@code true} and every
 * other type refuses; a parameter the backend does not know is refused by
 * {@link #requireOnly(Set)}, naming it and the known ones. Every message quotes the URI with its
 * secrets masked ({@link Secrets#mask}).
 */
public final class BackendUri {
    private final String text;
    private final String masked;
    private final String scheme;
    private final boolean hierarchical;
    private final @Nullable String opaque;
    private final @Nullable String user;
    private final @Nullable String password;
    private final List<String> hosts;
    private final String path;
    private final @Nullable String fragment;
    private final Map<String, String> parameters;

    private BackendUri(String text, String scheme, boolean hierarchical, @Nullable String opaque, @Nullable String user,
                       @Nullable String password,
                       List<String> hosts, String path, @Nullable String fragment, Map<String, String> parameters) {
        this.text = text;
        this.masked = Secrets.mask(text);
        this.scheme = scheme;
        this.hierarchical = hierarchical;
        this.opaque = opaque;
        this.user = user;
        this.password = password;
        this.hosts = hosts;
        this.path = path;
        this.fragment = fragment;
        this.parameters = parameters;
    }

    /**
     * Parses {@code uri}, whose scheme must be one of {@code schemes} (lower case).
     *
     * @throws IllegalArgumentException quoting the masked URI when it is empty, has another scheme,
     *                                  repeats a parameter or has a malformed escape
     */
    public static BackendUri parse(String uri, Set<String> schemes) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("backend URI must not be empty; expected one of " + schemeList(schemes));
        }
        String text = uri.trim();
        int colon = text.indexOf(':');
        String scheme = colon <= 0 ? "" : text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!schemes.contains(scheme)) {
            throw new IllegalArgumentException("backend URI '" + Secrets.mask(text) + "' must start with one of "
                    + schemeList(schemes));
        }
        String rest = text.substring(colon + 1);
        boolean hierarchical = rest.startsWith("//");
        String rawFragment = "";
        String fragment = null;
        if (hierarchical) {
            int hash = rest.indexOf('#');
            if (hash >= 0) {
                rawFragment = rest.substring(hash + 1);
                fragment = decode(rawFragment, text);
                rest = rest.substring(0, hash);
            }
        }
        String query = null;
        int question = rest.indexOf('?');
        if (question >= 0) {
            query = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        Map<String, String> parameters = parseQuery(query, text);
        if (!hierarchical) {
            return new BackendUri(text, scheme, false, rest, null, null, List.of(), "", null, parameters);
        }
        String authorityAndPath = rest.substring(2);
        int slash = authorityAndPath.indexOf('/');
        String authority = slash < 0 ? authorityAndPath : authorityAndPath.substring(0, slash);
        String rawPath = slash < 0 ? "" : authorityAndPath.substring(slash);
        if (rawPath.indexOf('@') >= 0 || rawFragment.indexOf('@') >= 0
                || authority.indexOf('@') < 0 && query != null && query.indexOf('@') >= 0 && !wellFormedHosts(authority)) {
            throw misreadUserInfo(text);
        }
        String path = decode(rawPath, text);
        int at = authority.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int split = userInfo.indexOf(':');
            user = decode(split < 0 ? userInfo : userInfo.substring(0, split), text);
            password = split < 0 ? null : decode(userInfo.substring(split + 1), text);
            authority = authority.substring(at + 1);
        }
        List<String> hosts = new ArrayList<>();
        if (!authority.isEmpty()) {
            for (String host : authority.split(",", -1)) {
                if (host.isBlank()) {
                    throw new IllegalArgumentException("backend URI '" + Secrets.mask(text)
                            + "' has an empty host in its list '" + authority + "'");
                }
                hosts.add(host.trim());
            }
        }
        return new BackendUri(text, scheme, true, null, user, password, List.copyOf(hosts), path, fragment, parameters);
    }

    /**
     * An {@code @} where no URI has one (in the path, the fragment or a parameter's name, or in a
     * parameter's value after a malformed host) means a user info holding {@code /}, {@code ?} or
     * {@code #}: a URI parser ends the host part there while a driver may split at the last
     * {@code @}, so part of the password would become a host (and go to DNS) or a path. Refused,
     * quoting the URI masked up to its last {@code @}.
     */
    private static IllegalArgumentException misreadUserInfo(String text) {
        return new IllegalArgumentException("backend URI '" + Secrets.mask(text) + "' has an '@' after its host part: "
                + "if its user info (user:password@) holds '/', '?', '#' or '@', percent-encode them as %2F, %3F, %23 "
                + "and %40 (and an '@' in a path or parameter name as %40)");
    }

    /** Each host a name or address with an optional numeric port; anything in brackets or parentheses passes. */
    private static boolean wellFormedHosts(String authority) {
        for (String host : authority.split(",", -1)) {
            String h = host.trim();
            if (h.startsWith("[") || h.indexOf('(') >= 0) {
                continue;
            }
            int colon = h.lastIndexOf(':');
            if (h.isEmpty() || colon == 0 || colon > 0 && !h.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> parseQuery(@Nullable String query, String text) {
        if (query == null || query.isEmpty()) {
            return Map.of();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if ((equals < 0 ? pair : pair.substring(0, equals)).indexOf('@') >= 0) {
                throw misreadUserInfo(text);
            }
            String key = decode(equals < 0 ? pair : pair.substring(0, equals), text);
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), text);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("backend URI '" + Secrets.mask(text)
                        + "' has a parameter without a name: '" + Secrets.mask("?" + pair).substring(1) + "'");
            }
            if (parameters.put(key, value) != null) {
                throw new IllegalArgumentException("backend URI '" + Secrets.mask(text) + "' repeats parameter '"
                        + key + "'; give it once");
            }
        }
        return Collections.unmodifiableMap(parameters);
    }

    /** The URI as given (trimmed). It may hold secrets: show {@link #masked()} instead. */
    public String text() {
        return text;
    }

    /** The URI with its secrets masked, for messages and {@code describe()}. */
    public String masked() {
        return masked;
    }

    /** The scheme, lower case. */
    public String scheme() {
        return scheme;
    }

    /** True for {@code scheme://...}, false for the opaque form {@code scheme:...}. */
    public boolean isHierarchical() {
        return hierarchical;
    }

    /** The opaque form's part between the scheme and the query, as written (not decoded); null if hierarchical. */
    public @Nullable String opaquePart() {
        return opaque;
    }

    /** The decoded user of the user info; null without user info. */
    public @Nullable String user() {
        return user;
    }

    /** The decoded password of the user info ({@code user:password@}); null without one. */
    public @Nullable String password() {
        return password;
    }

    /** The hosts of the authority as written ({@code host}, {@code host:port}, {@code [::1]:port}), in order. */
    public List<String> hosts() {
        return hosts;
    }

    /** The decoded path of a hierarchical URI, starting with {@code /}, or {@code ""}. */
    public String path() {
        return path;
    }

    /** The decoded fragment, or null. */
    public @Nullable String fragment() {
        return fragment;
    }

    /** Every parameter, decoded, in the order written. */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** The parameters not in {@code own}, in order: for a backend that passes the rest on to its driver. */
    public Map<String, String> parametersExcept(Set<String> own) {
        Map<String, String> rest = new LinkedHashMap<>(parameters);
        rest.keySet().removeAll(own);
        return Collections.unmodifiableMap(rest);
    }

    /**
     * Refuses a parameter not in {@code known}, and an {@code @} in any parameter of a URI without
     * user info: no parameter of a backend that lists its parameters here holds one, while a
     * password without a colon that holds {@code ?} ({@code redis://s3cr?a=b@host}) reads as host
     * {@code s3cr} and parameter {@code a}, and naming that parameter would print part of the
     * password. Such a URI is refused whole, masked up to its last {@code @}.
     *
     * @throws IllegalArgumentException naming the unknown parameter and the known ones
     */
    public BackendUri requireOnly(Set<String> known) {
        if (user == null && password == null) {
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                if (parameter.getKey().indexOf('@') >= 0 || parameter.getValue().indexOf('@') >= 0) {
                    throw misreadUserInfo(text);
                }
            }
        }
        for (String key : parameters.keySet()) {
            if (!known.contains(key)) {
                throw invalid("has an unknown parameter '" + key + "'; known: " + new TreeSet<>(known));
            }
        }
        return this;
    }

    /** True if the parameter is present. */
    public boolean has(String name) {
        return parameters.containsKey(name);
    }

    /** A text parameter, or {@code fallback} when absent. An empty value is refused. */
    @Contract("_, !null -> !null")
    public @Nullable String string(String name, @Nullable String fallback) {
        String value = parameters.get(name);
        if (value == null) {
            return fallback;
        }
        if (value.isEmpty()) {
            throw invalid("has parameter '" + name + "' without a value; write " + name + "=...");
        }
        return value;
    }

    /** {@code true} or {@code false} (any case); a bare {@code ?name} means true; {@code fallback} when absent. */
    public boolean bool(String name, boolean fallback) {
        String value = parameters.get(name);
        if (value == null) {
            return fallback;
        }
        if (value.isEmpty() || value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid("has " + name + "=" + value + ", which must be true or false");
    }

    /** A positive duration of at most {@link Durations#MAX} in the {@link Durations} grammar, or {@code fallback} when absent. */
    @Contract("_, !null -> !null")
    public @Nullable Duration positiveDuration(String name, @Nullable Duration fallback) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        Duration parsed;
        try {
            parsed = Durations.parseUnbounded(value);
        } catch (IllegalArgumentException e) {
            throw invalid("has " + name + "=" + value + ", which is not a duration (write " + Durations.EXAMPLES
                    + ", or ISO-8601 such as PT2S)", e);
        }
        if (parsed.isZero()) {
            throw invalid("has " + name + "=" + value + ", which must be positive");
        }
        if (parsed.compareTo(Durations.MAX) > 0) {
            throw invalid("has " + name + "=" + value + ", longer than " + Durations.describeMax());
        }
        return parsed;
    }

    /** A whole number of at least {@code min}, or {@code fallback} when absent. */
    public int wholeNumber(String name, int min, int fallback) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid("has " + name + "=" + value + ", which must be a whole number >= " + min);
    }

    /** An exception that quotes the masked URI: {@code backend URI '<masked>' <problem>}. */
    public IllegalArgumentException invalid(String problem) {
        return invalid(problem, null);
    }

    /** As {@link #invalid(String)}, with a cause. */
    public IllegalArgumentException invalid(String problem, @Nullable Throwable cause) {
        return new IllegalArgumentException(scheme + " backend URI '" + masked + "' " + problem, cause);
    }

    /**
     * Undoes {@code %XX} escapes (UTF-8), as in any URI; a literal {@code %} is written {@code %25}.
     * {@code +} stays a plus sign.
     *
     * @param context the whole URI, quoted (masked) when an escape is malformed
     */
    public static String decode(String part, String context) {
        if (part.indexOf('%') < 0) {
            return part;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length() || Character.digit(part.charAt(i + 1), 16) < 0 || Character.digit(part.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("backend URI '" + Secrets.mask(context)
                            + "' has a malformed escape at '" + part.substring(i, Math.min(part.length(), i + 3))
                            + "' (write a literal % as %25)");
                }
                bytes.write(Integer.parseInt(part, i + 1, i + 3, 16));
                i += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < part.length()) {
                bytes.writeBytes(part.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String schemeList(Set<String> schemes) {
        return new TreeSet<>(schemes).stream().map(s -> s + ":").toList().toString();
    }

    @Override
    public String toString() {
        return masked;
    }
}
