package io.distlock.faults;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The Markdown table of a set of runs, one row per backend and fault. */
final class Report {
    private Report() {
    }

    static String table(List<WorkloadRunner.Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("| backend | fault | clients | acquisitions | faults injected | overlaps (lease valid) "
                + "| overlaps (any) | late unfenced writes | lost updates unfenced | lost updates fenced file "
                + "| lost updates fenced row | fenced refusals file / row | token anomalies | releases false (unexplained) "
                + "| longest unavailability |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (WorkloadRunner.Result result : results) {
            Checker.Findings f = result.findings();
            Duration lease = result.settings().lease();
            double leases = (double) f.longestUnavailableNanos() / lease.toNanos();
            out.append("| ").append(result.backend())
                    .append(" | ").append(result.fault().description)
                    .append(" | ").append(result.settings().clients())
                    .append(" | ").append(f.acquisitions())
                    .append(" | ").append(result.effectiveInjections()).append(" of ").append(result.injections().size())
                    .append(" | ").append(bold(f.overlapsValid()))
                    .append(" | ").append(f.overlapsAll())
                    .append(" | ").append(f.lateUnfencedWrites())
                    .append(" | ").append(f.lostUnfenced())
                    .append(" | ").append(bold(f.lostFenced()))
                    .append(" | ").append(bold(f.lostRow()))
                    .append(" | ").append(f.fencedRefusals()).append(" / ").append(f.rowRefusals())
                    .append(" | ").append(bold(f.tokenAnomalies()))
                    .append(" | ").append(f.releasedFalse()).append(" (").append(bold(f.unexplainedReleaseFailures()))
                    .append(")")
                    .append(" | ").append(f.longestUnavailableNanos() / 1_000_000).append(" ms (")
                    .append(String.format(Locale.ROOT, "%.1f", leases)).append(" leases of ")
                    .append(lease.toMillis()).append(" ms)")
                    .append(" |\n");
        }
        return out.toString();
    }

    /** The figures that mean a broken promise stand out. */
    private static String bold(int count) {
        return count == 0 ? "0" : "**" + count + "**";
    }

    /** A run's details for a failure message or a log: its injections and the checker's examples. */
    static String details(WorkloadRunner.Result result) {
        StringBuilder out = new StringBuilder(result.backend() + " / " + result.fault() + " in " + result.directory() + "\n");
        result.injections().forEach(i -> out.append("  injection: ").append(i).append('\n'));
        result.problems().forEach(p -> out.append("  problem: ").append(p).append('\n'));
        result.findings().examples().forEach(e -> out.append("  ").append(e).append('\n'));
        out.append("  ").append(result.findings()).append('\n');
        return out.toString();
    }
}
