package io.distlock;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them in URIs, configuration and scripts, one grammar for every backend
 * URI and the command line: {@code 500ms}, {@code 20s}, {@code 3m}, {@code 1h}, {@code 2d}, sums
 * like {@code 1m30s}, ISO-8601 ({@code PT2S}), and {@code 0}. A bare number other than 0 is refused:
 * "5 seconds or minutes?" is exactly the mistake a lock timeout must not make silently.
 */
public final class Durations {
    /** Examples for messages. */
    public static final String EXAMPLES = "500ms, 20s, 3m, 1h or 1m30s";

    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Zero or a positive duration.
     *
     * @throws IllegalArgumentException quoting {@code text} when it is not one
     */
    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        if (trimmed.startsWith("p") || trimmed.startsWith("-p")) {
            return iso(text);
        }
        if (!WHOLE.matcher(trimmed).matches()) {
            String hint = trimmed.matches("\\d+") ? " (add a unit)" : "";
            throw new IllegalArgumentException("'" + text + "' is not a duration" + hint + "; use " + EXAMPLES);
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(trimmed);
        try {
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "d" -> Duration.ofDays(amount);
                    default -> throw new IllegalStateException("unit " + part.group(2));
                });
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration", e);
        }
        return total;
    }

    private static Duration iso(String text) {
        Duration parsed;
        try {
            parsed = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use " + EXAMPLES
                    + " or ISO-8601 such as PT2S", e);
        }
        if (parsed.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is a negative duration");
        }
        return parsed;
    }
}
