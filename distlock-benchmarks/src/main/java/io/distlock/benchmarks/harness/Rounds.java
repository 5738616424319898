package io.distlock.benchmarks.harness;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Implementations taking turns in short slices, round after round, so that whatever else this
 * shared machine does hits all alike; then two ratios between any two of them: pooled over all
 * slices, and the median of the per-round ratios (a round runs them back to back, so its ratio
 * compares them under the same conditions, and the median ignores a round in which the machine was
 * busy during one implementation's slice only).
 */
public final class Rounds {
    private final Map<String, Result> totals = new LinkedHashMap<>();
    private final Map<String, List<Double>> perRound = new LinkedHashMap<>();

    /** Measures one slice. */
    @FunctionalInterface
    public interface Measure {
        Result run(Scenario scenario, Contender contender) throws Exception;
    }

    /**
     * Every scenario (those whose id contains {@code -Dbench.only}, if set), {@code rounds} times,
     * each contender of the scenario once per round in the order given; a line per slice on stderr.
     */
    public static Rounds alternate(List<Scenario> scenarios, Function<Scenario, List<Contender>> contenders, int rounds,
                                   Measure measure) throws Exception {
        Rounds results = new Rounds();
        for (Scenario scenario : scenarios) {
            if (!selected(scenario.id())) {
                continue;
            }
            for (int round = 1; round <= rounds; round++) {
                for (Contender contender : contenders.apply(scenario)) {
                    Result result = measure.run(scenario, contender);
                    StringBuilder counts = new StringBuilder();
                    for (int i = 0; i < result.counts().length; i++) {
                        counts.append(String.format(Locale.ROOT, ", counter %d: %.2f each", i + 1, result.perAcquisition(i)));
                    }
                    System.err.println(String.format(Locale.ROOT, "round %d: %s / %s: %,.0f/s, hand-off median %s µs, "
                                    + "%d violations%s", round, scenario.label(), contender.label(), result.throughput(),
                            result.handOffMicros(0.5), result.violations(), counts));
                    results.add(result);
                }
            }
        }
        return results;
    }

    /** Whether {@code -Dbench.only}, if set, is part of {@code scenarioId}. */
    public static boolean selected(String scenarioId) {
        return scenarioId.contains(System.getProperty("bench.only", ""));
    }

    public void add(Result result) {
        String key = key(result.scenario(), result.contender());
        totals.merge(key, result, Result::plus);
        perRound.computeIfAbsent(key, k -> new ArrayList<>()).add(result.throughput());
    }

    /** Every scenario and contender's slices added up, in the order they first ran. */
    public Collection<Result> totals() {
        return totals.values();
    }

    /** The slices of one contender in one scenario added up; null if it did not run there. */
    public @Nullable Result total(Scenario scenario, Contender contender) {
        return totals.get(key(scenario, contender));
    }

    /** Throughput over all slices of {@code mine}, over that of {@code baseline}; NaN if either did not run. */
    public double pooledRatio(Scenario scenario, Contender mine, Contender baseline) {
        Result a = total(scenario, mine);
        Result b = total(scenario, baseline);
        return a == null || b == null ? Double.NaN : a.throughput() / b.throughput();
    }

    /** The median over rounds of each round's throughput ratio. */
    public double medianRatio(Scenario scenario, Contender mine, Contender baseline) {
        List<Double> a = perRound.getOrDefault(key(scenario, mine), List.of());
        List<Double> b = perRound.getOrDefault(key(scenario, baseline), List.of());
        double[] ratios = new double[Math.min(a.size(), b.size())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = a.get(i) / b.get(i);
        }
        return median(ratios);
    }

    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String key(Scenario scenario, Contender contender) {
        return scenario.id() + "/" + contender.id();
    }
}
