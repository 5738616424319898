package io.distlock.spi;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them, in one grammar for every backend URI, the command line and the
 * {@code @Locked} annotation: {@code 500ms}, {@code 20s}, {@code 3m}, {@code 1h}, {@code 2d}, sums
 * like {@code 1m30s}, ISO-8601 ({@code PT2S}), and {@code 0}; a wait also takes {@code forever}.
 * A bare number other than 0 is refused: "5 seconds or minutes?" is exactly the mistake a lock
 * timeout must not make silently.
 *
 * <p>Every duration distlock takes, a lease, a wait, a timeout or an interval, from the API, a
 * backend URI or builder, the command line or the Spring Boot properties, is at most {@link #MAX}
 * (365 days). A wait without limit is {@link #FOREVER}, never a huge duration. The bound keeps every
 * piece of arithmetic on a duration far from overflow (365 days are about 3.2e16 ns, a 290th of
 * what a {@code long} holds) and every backend able to keep the lease: memcached takes an expiry
 * over 30 days as a 32-bit Unix time, which a lease of 365 days from now does not reach before 2037.
 * The helpers below saturate instead of overflowing, for the code that meets a duration from
 * elsewhere (a server's answer) or adds durations together.
 */
public final class Durations {
    /** Examples for messages. */
    public static final String EXAMPLES = "500ms, 20s, 3m, 1h or 1m30s";

    /** The wait that never gives up, as the engine spells it: any negative duration means the same. */
    public static final Duration FOREVER = Duration.ofSeconds(-1);

    /**
     * The longest duration distlock accepts anywhere: 365 days. A longer one is refused with an
     * {@link IllegalArgumentException} naming the value and this maximum.
     */
    public static final Duration MAX = Duration.ofDays(365);

    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Zero or a positive duration of at most {@link #MAX}.
     *
     * @throws IllegalArgumentException quoting {@code text} when it is not one, or is longer than the maximum
     */
    public static Duration parse(String text) {
        Duration parsed = parseUnbounded(text);
        if (parsed.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is longer than " + describeMax());
        }
        return parsed;
    }

    /** As {@link #parse}, without the maximum: for callers that name the source of the text in their own message. */
    static Duration parseUnbounded(String text) {
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
        } catch (ArithmeticException | DateTimeException | NumberFormatException e) {
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
        Duration parsed;
        try {
            parsed = parseUnbounded(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", or 0 (try once) or forever", e);
        }
        if (parsed.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is longer than " + describeMax()
                    + "; a wait without limit is forever");
        }
        return parsed;
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
        return requireAtMost(what, value);
    }

    /**
     * The one check of the upper bound: {@code value} is at most {@link #MAX}.
     *
     * @param what names the value in the message, for example {@code "lease"}
     * @throws IllegalArgumentException naming {@code what}, the value and the maximum when it is longer
     */
    public static Duration requireAtMost(String what, Duration value) {
        if (value != null && value.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(what + " of " + formatAny(value) + " (" + value + ") is longer than "
                    + describeMax());
        }
        return value;
    }

    /** The maximum as messages quote it: {@code the maximum of 365 days (365d, P365D) for any distlock duration}. */
    public static String describeMax() {
        return "the maximum of " + MAX.toDays() + " days (" + MAX.toDays() + "d, P" + MAX.toDays()
                + "D) for any distlock duration";
    }

    /**
     * {@code duration} in nanoseconds, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} where
     * that many nanoseconds do not fit in a {@code long} (about 292 years).
     */
    public static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code duration} in milliseconds, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} where they do not fit. */
    public static long saturatedMillis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code a + b}, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} where the sum does not fit. */
    public static long saturatedAdd(long a, long b) {
        long sum = a + b;
        // Overflow only when both have the same sign and the sum's sign differs from theirs.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /**
     * The reading of a monotonic clock ({@link System#nanoTime()}, a {@code Ticker}) {@code length}
     * after {@code nowNanos}, to be compared as such readings must be, by the sign of
     * {@code deadline - now}. The length counts as at most {@link #MAX} and at least zero: the
     * difference of two readings then stays exact, whatever value the clock starts from (a
     * saturated sum would not: such a clock may be anywhere in the range of a {@code long}, and
     * wraps).
     */
    public static long deadlineNanos(long nowNanos, Duration length) {
        long nanos = length.isNegative() ? 0 : saturatedNanos(length.compareTo(MAX) > 0 ? MAX : length);
        return nowNanos + nanos;
    }

    /** {@code instant + duration}, held at {@link Instant#MAX} or {@link Instant#MIN} instead of failing. */
    public static Instant plus(Instant instant, Duration duration) {
        try {
            return instant.plus(duration);
        } catch (DateTimeException | ArithmeticException outOfRange) {
            return duration.isNegative() ? Instant.MIN : Instant.MAX;
        }
    }

    /** Short and readable: {@code 850ms}, {@code 12s}, {@code 3m05s}, {@code 1h02m}, {@code 2d03h}, {@code forever}. */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return duration.equals(FOREVER) ? "forever" : "-" + formatAny(duration.negated());
        }
        return formatAny(duration);
    }

    /**
     * Text that {@link #parse} reads back as exactly {@code duration}: {@link #format}'s short form
     * where it is exact ({@code 20s}, {@code 1m30s}), else whole milliseconds ({@code 1500ms}, where
     * {@link #format} would round to {@code 1s}), else ISO-8601 ({@code PT0.000000001S}). For a value
     * shown beside another, or a default given as text.
     */
    public static String formatExact(Duration duration) {
        String shown = format(duration);
        try {
            if (parse(shown).equals(duration)) {
                return shown;
            }
        } catch (IllegalArgumentException notReadBack) {
            // the short form of a duration past the maximum or of a negative one: ISO-8601 below
        }
        if (!duration.isNegative() && duration.getNano() % 1_000_000 == 0 && duration.compareTo(MAX) <= 0) {
            return duration.toMillis() + "ms";
        }
        return duration.toString();
    }

    /** As {@link #format}, for any duration (a huge one in days, a negative one with its sign). */
    private static String formatAny(Duration duration) {
        if (duration.isNegative()) {
            return duration.equals(Duration.ofSeconds(Long.MIN_VALUE)) ? duration.toString() : "-" + formatAny(duration.negated());
        }
        long millis = saturatedMillis(duration);
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
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use " + EXAMPLES
                    + " or ISO-8601 such as PT2S", e);
        }
        if (parsed.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is a negative duration");
        }
        return parsed;
    }
}
