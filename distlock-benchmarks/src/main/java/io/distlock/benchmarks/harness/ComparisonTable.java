package io.distlock.benchmarks.harness;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The Markdown table of a comparison: a row per scenario and implementation, with its throughput,
 * its ratios to baselines (pooled; median of rounds), and optionally hand-off latency, fairness and
 * what the server counted per critical section.
 */
public final class ComparisonTable {
    private final List<RatioColumn> ratios = new ArrayList<>();
    private boolean handOffs;
    private @Nullable String fairnessHeader;
    private final List<String[]> perCriticalSection = new ArrayList<>();

    private record RatioColumn(String header, Function<Scenario, @Nullable Contender> baseline, boolean nameBaseline) {
    }

    /**
     * A ratio column against {@code baseline(scenario)} (null: "-" in that scenario); with
     * {@code nameBaseline} the cell ends with the baseline's short name.
     */
    public ComparisonTable ratio(String header, Function<Scenario, @Nullable Contender> baseline, boolean nameBaseline) {
        ratios.add(new RatioColumn(header, baseline, nameBaseline));
        return this;
    }

    /** Hand-off median and p99 in µs. */
    public ComparisonTable handOffs() {
        handOffs = true;
        return this;
    }

    public ComparisonTable fairness(String header) {
        fairnessHeader = header;
        return this;
    }

    /**
     * The next of the slices' counters (in the order {@link Slice#with} was given them) per critical
     * section, formatted with {@code format} (such as "%.1f").
     */
    public ComparisonTable perCriticalSection(String header, String format) {
        perCriticalSection.add(new String[] {header, format});
        return this;
    }

    public String render(Rounds rounds) {
        StringBuilder header = new StringBuilder("| scenario | implementation | critical sections/s |");
        StringBuilder align = new StringBuilder("|---|---|---:|");
        for (RatioColumn column : ratios) {
            header.append(' ').append(column.header).append(" |");
            align.append("---:|");
        }
        if (handOffs) {
            header.append(" hand-off median µs | hand-off p99 µs |");
            align.append("---:|---:|");
        }
        if (fairnessHeader != null) {
            header.append(' ').append(fairnessHeader).append(" |");
            align.append("---|");
        }
        for (String[] column : perCriticalSection) {
            header.append(' ').append(column[0]).append(" |");
            align.append("---:|");
        }
        header.append(" exclusion violations |\n");
        align.append("---:|\n");
        StringBuilder out = new StringBuilder(header).append(align);
        for (Result r : rounds.totals()) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f |", r.scenario().label(), r.contender().label(),
                    r.throughput()));
            for (RatioColumn column : ratios) {
                @Nullable Contender baseline = column.baseline.apply(r.scenario());
                if (baseline == null || rounds.total(r.scenario(), baseline) == null) {
                    out.append(" - |");
                } else {
                    out.append(String.format(Locale.ROOT, " %.2fx; %.2fx%s |",
                            rounds.pooledRatio(r.scenario(), r.contender(), baseline),
                            rounds.medianRatio(r.scenario(), r.contender(), baseline),
                            column.nameBaseline ? " " + baseline.shortName() : ""));
                }
            }
            if (handOffs) {
                out.append(' ').append(r.handOffMicros(0.5)).append(" | ").append(r.handOffMicros(0.99)).append(" |");
            }
            if (fairnessHeader != null) {
                out.append(' ').append(r.fairness()).append(" |");
            }
            for (int i = 0; i < perCriticalSection.size(); i++) {
                out.append(' ').append(String.format(Locale.ROOT, perCriticalSection.get(i)[1], r.perAcquisition(i)))
                        .append(" |");
            }
            out.append(' ').append(r.violations()).append(" |\n");
        }
        return out.toString();
    }
}
