package io.distlock.benchmarks.harness;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.LongStream;

/**
 * What one slice measured (or several, added up with {@link #plus}).
 *
 * @param minShare   the fewest acquisitions of one contender over the mean, in the worst slice
 * @param maxShare   the most acquisitions of one contender over the mean, in the worst slice
 * @param handOffs   sorted, in nanoseconds: from a holder starting to release until another
 *                   contender's acquire returned
 * @param serverOps  what the server counted during the measured window (commands, requests,
 *                   round trips; each benchmark says which), 0 where nothing counts
 */
public record Result(Scenario scenario, Contender contender, long acquisitions, double seconds, double minShare,
                     double maxShare, long[] handOffs, long violations, long serverOps) {

    public double throughput() {
        return acquisitions / seconds;
    }

    /** All slices together: sums, the worst shares, and every hand-off. */
    public Result plus(Result other) {
        long[] latencies = LongStream.concat(Arrays.stream(handOffs), Arrays.stream(other.handOffs)).sorted().toArray();
        return new Result(scenario, contender, acquisitions + other.acquisitions, seconds + other.seconds,
                Math.min(minShare, other.minShare), Math.max(maxShare, other.maxShare), latencies,
                violations + other.violations, serverOps + other.serverOps);
    }

    /** The hand-off at quantile {@code p}, in nanoseconds; -1 when there was none. */
    public long handOffNanos(double p) {
        return handOffs.length == 0 ? -1 : handOffs[(int) Math.min(handOffs.length - 1, Math.floor(p * handOffs.length))];
    }

    /** The hand-off at quantile {@code p} in whole microseconds, or "-". */
    public String handOffMicros(double p) {
        return handOffs.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f", handOffNanos(p) / 1e3);
    }

    /** "fewest / most" acquisitions of one contender as multiples of the mean, or "-" with one contender. */
    public String fairness() {
        return scenario.contenders() == 1 ? "-" : String.format(Locale.ROOT, "%.2f / %.2f", minShare, maxShare);
    }

    public double serverOpsPerAcquisition() {
        return (double) serverOps / Math.max(1, acquisitions);
    }
}
