package io.distlock.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes durations the way people type them in scripts: {@code 500ms}, {@code 20s},
 * {@code 3m}, {@code 1h}, {@code 2d}, and sums like {@code 1m30s}. A bare number is refused
 * (except {@code 0}) because "is 5 seconds or minutes?" is exactly the mistake a lock timeout must
 * not make silently.
 */
final class Durations {
    /** The wait that never gives up, as the engine spells it. */
    static final Duration FOREVER = Duration.ofSeconds(-1);

    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    static final String EXAMPLES = "500ms, 20s, 3m, 1h or 1m30s";

    private Durations() {
    }

    /** A strictly positive duration, such as a lease. */
    static Duration parsePositive(String text) {
        Duration duration = parse(text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("'" + text + "' must be longer than zero, for example " + EXAMPLES);
        }
        return duration;
    }

    /** A wait: {@code 0} tries once, {@code forever} never gives up, anything else is a duration. */
    static Duration parseWait(String text) {
        if (text != null && text.trim().toLowerCase(Locale.ROOT).equals("forever")) {
            return FOREVER;
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", or 0 (try once) or forever");
        }
    }

    /** Zero or a positive duration. */
    static Duration parse(String text) {
        String trimmed = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("0")) {
            return Duration.ZERO;
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

    /** Short and readable: {@code 850ms}, {@code 12s}, {@code 3m05s}, {@code 1h02m}, {@code 2d03h}. */
    static String format(Duration duration) {
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
}
