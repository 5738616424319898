package io.distlock.cli;

import java.time.Duration;
import java.util.Locale;

/**
 * Reads durations with {@link io.distlock.Durations} (one grammar for the command line and every
 * backend URI: {@code 500ms}, {@code 20s}, {@code 3m}, {@code 1m30s}, ...), adds the command line's
 * {@code forever}, and writes them short for people.
 */
final class Durations {
    /** The wait that never gives up, as the engine spells it. */
    static final Duration FOREVER = Duration.ofSeconds(-1);

    static final String EXAMPLES = io.distlock.Durations.EXAMPLES;

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

    /** Zero or a positive duration, in the grammar every backend URI uses too. */
    static Duration parse(String text) {
        return io.distlock.Durations.parse(text);
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
