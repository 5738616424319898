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
        // When each run's lock was granted: its token, the file backend's wall clock in microseconds
        // at the grant. The previous holder released no sooner than minHold (400 ms) after its grant's
        // answer arrived, which is no sooner than its grant: consecutive grants are at least 400 ms
        // apart, whichever JVM made them, however late a loaded machine then runs the job. (A run's
        // own start, recorded in the job, trails its grant by however long the thread is kept waiting:
        // on a loaded machine hundreds of milliseconds, so it cannot be held to this bound.)
        List<long[]> grants = new ArrayList<>();
        for (String line : lines(Path.of(runs + ".grants"))) {
            String[] parts = line.trim().split(" ");
            grants.add(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]) / 1000});
        }
        grants.sort(Comparator.comparingLong(grant -> grant[1]));
        assertThat(grants).as("grants of the tick lock").hasSizeGreaterThanOrEqualTo(RUNS);
        for (int i = 1; i < grants.size(); i++) {
            long gap = grants.get(i)[1] - grants.get(i - 1)[1];
            assertThat(gap).as("gap between grant %d (pid %d) and grant %d (pid %d); all grants: %s", i - 1,
                    grants.get(i - 1)[0], i, grants.get(i)[0], describe(grants)).isGreaterThanOrEqualTo(400);
        }
        // Every run of the job was under a grant of its own: unguarded, two JVMs would run it about
        // twice per tick, with no grant at all.
        assertThat(lines(runs)).as("runs of the job").hasSizeLessThanOrEqualTo(grants.size());
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
