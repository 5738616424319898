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
 * @param counts     how much each of the benchmark's counters (server commands, round trips, CPU
 *                   time; each benchmark says which) went up during the measured window
 */
public record Result(Scenario scenario, Contender contender, long acquisitions, double seconds, double minShare,
                     double maxShare, long[] handOffs, long violations, long[] counts) {

    public double throughput() {
        return acquisitions / seconds;
    }

    /** All slices together: sums, the worst shares, and every hand-off. */
    public Result plus(Result other) {
        long[] latencies = LongStream.concat(Arrays.stream(handOffs), Arrays.stream(other.handOffs)).sorted().toArray();
        return new Result(scenario, contender, acquisitions + other.acquisitions, seconds + other.seconds,
                Math.min(minShare, other.minShare), Math.max(maxShare, other.maxShare), latencies,
                violations + other.violations, sum(counts, other.counts));
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

    /** Counter {@code index}'s increase per critical section. */
    public double perAcquisition(int index) {
        return (double) counts[index] / Math.max(1, acquisitions);
    }

    private static long[] sum(long[] a, long[] b) {
        long[] total = a.clone();
        for (int i = 0; i < total.length; i++) {
            total[i] += b[i];
        }
        return total;
    }
}
