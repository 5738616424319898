package io.distlock.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them, in one grammar for every backend URI, the command line and the
 * {@code @Locked} annotation: {@code 500ms}, {@code 20s}, {@code 3m}, {@code 1h}, {@code 2d}, sums
 * like {@code 1m30s}, ISO-8601 ({@code PT2S}), and {@code 0}; a wait also takes {@code forever}.
 * A bare number other than 0 is refused: "5 seconds or minutes?" is exactly the mistake a lock
 * timeout must not make silently.
 */
public final class Durations {
    /** Examples for messages. */
    public static final String EXAMPLES = "500ms, 20s, 3m, 1h or 1m30s";

    /** The wait that never gives up, as the engine spells it: any negative duration means the same. */
    public static final Duration FOREVER = Duration.ofSeconds(-1);

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

    /** A strictly positive duration, such as a lease. */
    public static Duration parsePositive(String text) {
        Duration duration = parse(text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("'" + text + "' must be longer than zero, for example " + EXAMPLES);
        }
        return duration;
    }

    /** A wait: {@code 0} tries once, {@code forever} ({@link #FOREVER}) never gives up, else a duration. */
    public static Duration parseWait(String text) {
        if (text != null && text.trim().toLowerCase(Locale.ROOT).equals("forever")) {
            return FOREVER;
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", or 0 (try once) or forever", e);
        }
    }

    /**
     * The one check of a duration that must be longer than zero (a lease, a timeout, an interval).
     *
     * @param what names the value in the message, for example {@code "lease"}
     * @throws IllegalArgumentException naming {@code what} and the value when it is null, zero or negative
     */
    public static Duration requirePositive(String what, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive but was " + value);
        }
        return value;
    }

    /** Short and readable: {@code 850ms}, {@code 12s}, {@code 3m05s}, {@code 1h02m}, {@code 2d03h}, {@code forever}. */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return duration.equals(FOREVER) ? "forever" : "-" + format(duration.negated());
        }
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        long seconds = duration.getSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 86400) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", seconds / 86400, seconds % 86400 / 3600);
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
