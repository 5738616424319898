package io.distlock.spring;

import io.distlock.testkit.ChildJvm;
import io.distlock.testkit.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application JVMs with the same {@code @Scheduled} job (every 500 ms, a minimum hold of
 * 400 ms, a job of well under a millisecond) on one file-backend directory: between them it runs
 * once per tick. Without the lock each JVM would run it every tick, two runs per 500 ms; with the
 * lock and no minimum hold the fast job would also run twice per tick whenever the two schedules
 * are out of phase by more than the job's length, which they nearly always are.
 */
class ScheduledAcrossJvmsTest {
    private static final int RUNS = 12;

    @TempDir
    Path dir;

    @Test
    void theJobRunsOncePerTickBetweenTwoInstances() throws Exception {
        Path locks = Files.createDirectories(dir.resolve("locks"));
        Path runs = dir.resolve("runs.txt");
        try (ChildJvm first = ChildJvm.start(ScheduledJobApp.class, dir.resolve("first.log"), locks.toString(), runs.toString());
             ChildJvm second = ChildJvm.start(ScheduledJobApp.class, dir.resolve("second.log"), locks.toString(), runs.toString())) {
            first.awaitLine("ready");
            second.awaitLine("ready");
            Eventually.until(RUNS + " runs of the job", Duration.ofSeconds(60), () -> lines(runs).size() >= RUNS);
        }
        List<long[]> all = new ArrayList<>();
        for (String line : lines(runs)) {
            String[] parts = line.trim().split(" ");
            all.add(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])});
        }
        all.sort(Comparator.comparingLong(run -> run[1]));
        // Each acquisition comes at least minHold (400 ms) after the one before, whichever JVM made
        // it. A run's recorded start trails its acquisition by however long the thread is kept
        // from running in between (on a loaded machine, tens of milliseconds and more), so one gap
        // between starts can come out shorter than 400 ms; their sum cannot, except by the first
        // run's own delay. Unguarded, or guarded without a minimum hold, two JVMs ticking every
        // 500 ms out of phase run about twice per tick: the sum would be near half of this.
        long slack = 200;
        for (int i = 1; i < all.size(); i++) {
            long gap = all.get(i)[1] - all.get(i - 1)[1];
            assertThat(gap).as("gap between run %d (pid %d) and run %d (pid %d); all runs: %s", i - 1,
                    all.get(i - 1)[0], i, all.get(i)[0], describe(all)).isGreaterThanOrEqualTo(400 - slack);
        }
        long span = all.get(all.size() - 1)[1] - all.get(0)[1];
        assertThat(span).as("first to last of %d runs: %s", all.size(), describe(all))
                .isGreaterThanOrEqualTo((all.size() - 1) * 400L - slack);
    }

    private static List<String> lines(Path runs) {
        try {
            return Files.exists(runs) ? Files.readAllLines(runs).stream().filter(l -> !l.isBlank()).toList() : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String describe(List<long[]> runs) {
        StringBuilder text = new StringBuilder();
        for (long[] run : runs) {
            text.append("\n  pid ").append(run[0]).append(" at ").append(run[1]);
        }
        return text.toString();
    }
}
