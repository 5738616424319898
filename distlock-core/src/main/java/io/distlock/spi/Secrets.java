package io.distlock.spi;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one secret masker: every message, log line and {@code describe()} that shows a backend URI
 * shows it through {@link #mask(String)}, whether or not a backend for its scheme is present.
 */
public final class Secrets {
    /** Query parameters whose values are secrets, compared without case (JDBC's {@code password}, ...). */
    private static final Set<String> SECRET_PARAMETERS = Set.of("password", "pass", "pwd", "secret", "token",
            "accesstoken", "sslpassword", "sslkeypassword", "keystorepassword", "truststorepassword");
    private static final Pattern PARAMETER = Pattern.compile("([?&;])([^=&;#?]+)=([^&;#]*)");
    private static final String MASK = "***";

    private Secrets() {
    }

    /**
     * {@code uri} with every secret replaced by {@code ***}: the password of the user info
     * ({@code user:secret@host}), a user info without a colon (Redis reads {@code secret@host} as a
     * password), and the values of query parameters such as {@code password=} and {@code token=}.
     * Null stays null; text that is not a URI comes back unchanged.
     */
    public static String mask(String uri) {
        if (uri == null) {
            return null;
        }
        return maskParameters(maskUserInfo(uri));
    }

    private static String maskUserInfo(String uri) {
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            return uri;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = uri.length();
        for (char stop : new char[] {'/', '?', '#'}) {
            int at = uri.indexOf(stop, authorityStart);
            if (at >= 0 && at < authorityEnd) {
                authorityEnd = at;
            }
        }
        int at = uri.lastIndexOf('@', authorityEnd - 1);
        if (at < authorityStart) {
            return uri;
        }
        String userInfo = uri.substring(authorityStart, at);
        int colon = userInfo.indexOf(':');
        String masked = colon >= 0 ? userInfo.substring(0, colon) + ":" + MASK : MASK;
        return uri.substring(0, authorityStart) + masked + uri.substring(at);
    }

    private static String maskParameters(String uri) {
        Matcher parameter = PARAMETER.matcher(uri);
        StringBuilder out = new StringBuilder(uri.length());
        while (parameter.find()) {
            String key = parameter.group(2);
            boolean secret = SECRET_PARAMETERS.contains(key.toLowerCase(Locale.ROOT));
            String replacement = parameter.group(1) + key + "=" + (secret ? MASK : parameter.group(3));
            parameter.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        parameter.appendTail(out);
        return out.toString();
    }
}
