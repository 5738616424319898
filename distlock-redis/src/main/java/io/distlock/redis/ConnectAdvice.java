package io.distlock.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.protocol.RedisProtocolException;
import org.jspecify.annotations.Nullable;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a failed connect means and what to do about it, for the mistakes people make: no password,
 * a wrong one, a port that is not Redis, no server there. Lettuce's own words for them ("NOAUTH
 * HELLO must be called with the client already authenticated...", "Invalid first byte: 69 (E) at
 * buffer index 1 decoding using null") say neither which setting is wrong nor where it goes.
 */
final class ConnectAdvice {
    private static final Pattern FIRST_BYTE = Pattern.compile("Invalid first byte: \\d+ \\((.)\\)");

    private ConnectAdvice() {
    }

    /** One sentence for {@code failure}'s cause chain, or null when it is none of the known mistakes. */
    static @Nullable String of(@Nullable Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof RedisCommandExecutionException) {
                String code = message.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                if (code.equals("NOAUTH")) {
                    return "the server wants a password (NOAUTH) and none was given: set "
                            + RedisSettings.PASSWORD_ENVIRONMENT_VARIABLE + ", or write it in the URI before the host, "
                            + "as :PASSWORD@ (an ACL user: USER:PASSWORD@)";
                }
                if (code.equals("WRONGPASS") || message.contains("invalid password")) {
                    return "the server refused the user or password (" + code + "): check "
                            + RedisSettings.PASSWORD_ENVIRONMENT_VARIABLE + ", or the URI's user info before the host "
                            + "(:PASSWORD@, or USER:PASSWORD@ for an ACL user)";
                }
            }
            if (t instanceof RedisProtocolException) {
                Matcher first = FIRST_BYTE.matcher(message);
                String answer = first.find() ? " (its answer began with '" + first.group(1) + "'"
                        + (first.group(1).equals("E") ? ", as memcached's ERROR does" : "") + ")" : "";
                return "the server there does not speak the Redis protocol" + answer + ": check the port in the URI "
                        + "(Redis listens on 6379 unless configured otherwise)";
            }
            if (t instanceof ConnectException && message.contains("Connection refused")) {
                return "nothing accepts connections there (Connection refused): start the Redis server, or correct "
                        + "the host and port in the URI";
            }
            if (t instanceof UnknownHostException) {
                return "the host name is not known (" + message.strip() + "): check the host in the URI";
            }
        }
        return null;
    }
}
