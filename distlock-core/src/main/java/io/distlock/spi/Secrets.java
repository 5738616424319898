package io.distlock.spi;

import org.jetbrains.annotations.Contract;
import org.jspecify.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one secret masker: every message, log line and {@code describe()} that shows a backend URI
 * shows it through {@link #mask(String)}, and every driver message distlock passes on goes through
 * {@link #maskText(String, Collection)}, whether or not a backend for its scheme is present.
 *
 * <p>The rule, in full:
 * <ul>
 *   <li>User info: everything between a scheme's {@code //} and the <em>last</em> {@code @} of the
 *       URI is the user info. A parser that ends the authority at the first {@code /}, {@code ?} or
 *       {@code #} (as RFC 3986 does) and a driver that splits at the last {@code @} disagree when a
 *       password holds one of those characters; masking up to the last {@code @} hides the password
 *       under either reading. The user name stays visible only when the reading is unambiguous (no
 *       {@code @} after the first {@code /}, {@code ?} or {@code #}) and the user holds no {@code @}.</li>
 *   <li>Parameters: a {@code name=value} pair starting the text or following {@code ?}, {@code &},
 *       {@code ;}, {@code (}, <code>&#123;</code> or {@code ,} (query strings, H2's and MariaDB's {@code ;}
 *       settings, {@code Properties} as printed) whose percent-decoded name contains, in any case,
 *       one of {@code pass}, {@code pwd}, {@code secret}, {@code token}, {@code key} or
 *       {@code credential} has its whole value masked, up to the next {@code &} (a {@code ;} may
 *       be part of a password).</li>
 *   <li>Known values: {@link #maskText} also replaces every occurrence of the secret values it is
 *       given (the passwords a backend was configured with), since a driver may quote them in any
 *       form.</li>
 * </ul>
 */
public final class Secrets {
    private static final String MASK = "***";
    private static final List<String> SECRET_WORDS = List.of("pass", "pwd", "secret", "token", "key", "credential");
    private static final Pattern PARAMETER = Pattern.compile("(^|[?&;({,])([^=&;?#(){},\\s]+)=");
    /** Where a URI or parameter ends inside free text: whitespace and quotes. */
    private static final Pattern TOKEN = Pattern.compile("[^\\s'\"`]+");

    private Secrets() {
    }

    /**
     * {@code uri}, taken whole as one URI, with every secret replaced by {@code ***} by the rule above.
     * Null stays null; text without user info or secret parameters comes back unchanged.
     */
    @Contract("!null -> !null")
    public static @Nullable String mask(@Nullable String uri) {
        if (uri == null) {
            return null;
        }
        return maskRegions(uri);
    }

    /**
     * Free text (an exception's message, a stack trace) with every URI and secret parameter in it
     * masked as by {@link #mask(String)} (a URI ends at whitespace or a quote here), and every
     * occurrence of each of the non-empty {@code knownSecrets} replaced by {@code ***}.
     * Null stays null.
     */
    @Contract("!null, _ -> !null")
    public static @Nullable String maskText(@Nullable String text, Collection<String> knownSecrets) {
        if (text == null) {
            return null;
        }
        List<String> known = new ArrayList<>();
        for (String secret : knownSecrets) {
            if (secret != null && !secret.isEmpty()) {
                known.add(secret);
            }
        }
        known.sort(Comparator.comparingInt(String::length).reversed());
        String result = text;
        for (String secret : known) {
            result = result.replace(secret, MASK);
        }
        Matcher token = TOKEN.matcher(result);
        StringBuilder out = new StringBuilder(result.length());
        while (token.find()) {
            token.appendReplacement(out, Matcher.quoteReplacement(mask(token.group())));
        }
        token.appendTail(out);
        return out.toString();
    }

    /**
     * The secret values written in {@code uri}, for {@link #maskText}: the user info's password
     * (decoded and as written), a Redis URI's user info without a colon (Redis reads
     * {@code secret@host} as a password), and the values of secret parameters (up to the next
     * {@code &}, and also up to the next {@code ;}, where H2 ends a setting). Never fails, even on
     * a malformed URI.
     */
    public static Set<String> valuesIn(String uri) {
        Set<String> values = new LinkedHashSet<>();
        if (uri == null) {
            return values;
        }
        int start = uri.indexOf("://");
        int at = start < 0 ? -1 : uri.lastIndexOf('@');
        if (at > start + 3) {
            String userInfo = uri.substring(start + 3, at);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                addWithDecoded(values, userInfo.substring(colon + 1));
            } else if (uri.regionMatches(true, 0, "redis", 0, 5)) {
                addWithDecoded(values, userInfo);
            }
        }
        for (int[] value : secretParameterValues(uri)) {
            String written = uri.substring(value[0], value[1]);
            addWithDecoded(values, written);
            int semicolon = written.indexOf(';');
            if (semicolon > 0) {
                // H2 and MariaDB end a setting at ';' where a query would not: both readings are secrets.
                addWithDecoded(values, written.substring(0, semicolon));
            }
        }
        values.remove("");
        return values;
    }

    /** True if a parameter or variable called {@code name} holds a secret by the rule above. */
    public static boolean isSecretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }

    private static void addWithDecoded(Set<String> values, String raw) {
        values.add(raw);
        values.add(decodeLeniently(raw));
    }

    /**
     * Every secret of {@code uri} is one region; both rules read the text as given, so neither can
     * hide the other's secret (a {@code password=a@b} whose {@code @} looks like a user info's end,
     * a user info holding {@code ?token=}). Overlapping and touching regions become one
     * {@code ***}; an empty one (an empty password) still shows as {@code ***}.
     */
    private static String maskRegions(String uri) {
        List<int[]> regions = new ArrayList<>();
        int[] userInfo = userInfoSecret(uri);
        if (userInfo != null) {
            regions.add(userInfo);
        }
        regions.addAll(secretParameterValues(uri));
        if (regions.isEmpty()) {
            return uri;
        }
        regions.sort(Comparator.comparingInt(region -> region[0]));
        StringBuilder out = new StringBuilder(uri.length());
        int copied = 0;
        int i = 0;
        while (i < regions.size()) {
            int start = regions.get(i)[0];
            int end = regions.get(i)[1];
            for (i++; i < regions.size() && regions.get(i)[0] <= end; i++) {
                end = Math.max(end, regions.get(i)[1]);
            }
            out.append(uri, copied, start).append(MASK);
            copied = end;
        }
        return out.append(uri, copied, uri.length()).toString();
    }

    /**
     * The user info's secret part, {@code [start, end)}: from the scheme's {@code //} to the last
     * {@code @}, less the user and its colon when the reading is unambiguous; null without one.
     */
    private static int @Nullable [] userInfoSecret(String uri) {
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            return null;
        }
        int authorityStart = schemeEnd + 3;
        int at = uri.lastIndexOf('@');
        if (at < authorityStart) {
            return null;
        }
        int rfcAuthorityEnd = indexOfAny(uri, "/?#", authorityStart);
        int colon = uri.indexOf(':', authorityStart);
        boolean unambiguous = at < rfcAuthorityEnd && colon >= 0 && colon < at
                && uri.lastIndexOf('@', colon) < authorityStart;
        return new int[] {unambiguous ? colon + 1 : authorityStart, at};
    }

    /** The non-empty values of the secret parameters, each {@code [start, end)} up to the next {@code &}. */
    private static List<int[]> secretParameterValues(String text) {
        List<int[]> values = new ArrayList<>();
        Matcher parameter = PARAMETER.matcher(text);
        int from = 0;
        while (from < text.length() && parameter.find(from)) {
            int valueStart = parameter.end();
            if (isSecretName(decodeLeniently(parameter.group(2)))) {
                int valueEnd = indexOfAny(text, "&", valueStart);
                if (valueEnd > valueStart) {
                    values.add(new int[] {valueStart, valueEnd});
                }
                from = Math.max(valueEnd, valueStart + 1);
            } else {
                from = Math.max(valueStart, parameter.start() + 1);
            }
        }
        return values;
    }

    private static int indexOfAny(String text, String characters, int from) {
        for (int i = from; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    /** {@code %XX} decoded as UTF-8 where well-formed; anything else kept as written. */
    private static String decodeLeniently(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        int plain = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0
                    && Character.digit(text.charAt(i + 2), 16) >= 0) {
                bytes.writeBytes(text.substring(plain, i).getBytes(StandardCharsets.UTF_8));
                bytes.write(Integer.parseInt(text, i + 1, i + 3, 16));
                i += 2;
                plain = i + 1;
            }
        }
        bytes.writeBytes(text.substring(plain).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
