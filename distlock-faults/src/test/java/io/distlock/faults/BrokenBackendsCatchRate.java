package io.distlock.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How often {@link BrokenBackendsFaultTest}'s runs catch their bug: the runs repeated
 * {@code -Dfaults.repeat} times (20 by default), the catches counted per bug. With
 * {@code -Dfaults.settings=short}, each bug instead runs as the short suite runs a real backend
 * (its settings, a paused holder): would the short suite catch that bug in a backend? Not named
 * *Test, so only this runs it:
 * {@code mvn -B -ntp -pl distlock-faults -am verify -Dtest=BrokenBackendsCatchRate -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Timeout(value = 120, unit = TimeUnit.MINUTES)
class BrokenBackendsCatchRate {

    @Test
    void everyBugIsCaughtEveryTime(@TempDir Path directory) throws Exception {
        int repeat = Integer.getInteger("faults.repeat", 20);
        Map<String, List<String>> misses = new LinkedHashMap<>();
        Map<String, Integer> caught = new LinkedHashMap<>();
        for (int round = 1; round <= repeat; round++) {
            List<WorkloadRunner.Result> results = FaultPlans.execute(runs(),
                    directory.resolve("round-" + round));
            for (WorkloadRunner.Result result : results) {
                List<String> missed = BrokenBackendsFaultTest.missed(result);
                caught.merge(result.backend(), missed.isEmpty() ? 1 : 0, Integer::sum);
                if (!missed.isEmpty()) {
                    misses.computeIfAbsent(result.backend(), b -> new ArrayList<>())
                            .add("round " + round + ": " + missed + "\n" + Report.details(result));
                }
            }
            System.out.println("after round " + round + ": caught " + caught);
        }
        StringBuilder summary = new StringBuilder("Caught in " + repeat + " rounds:\n");
        caught.forEach((backend, n) -> summary.append("  ").append(backend).append(": ").append(n).append(" of ")
                .append(repeat).append('\n'));
        System.out.println(summary);
        misses.values().forEach(list -> list.forEach(System.out::println));
        assertThat(misses).as(summary.toString()).isEmpty();
    }

    private static List<FaultPlans.Run> runs() {
        if (!"short".equals(System.getProperty("faults.settings"))) {
            return BrokenBackendsFaultTest.runs();
        }
        List<FaultPlans.Run> runs = new ArrayList<>();
        for (BrokenFileBackends.Bug bug : BrokenFileBackends.Bug.CLASSIC) {
            runs.add(new FaultPlans.Run(() -> new BrokenFileBackends.Adapter(bug), Fault.PAUSE_HOLDER, FaultPlans.SHORT));
        }
        return runs;
    }
}
