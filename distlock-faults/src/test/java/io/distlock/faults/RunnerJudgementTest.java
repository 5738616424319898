package io.distlock.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the runner itself fails, whatever the backend promises, shown on two broken file backends:
 * a client that dies unplanned, and a backend that never serves again after an injection.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunnerJudgementTest {
    private static GuardedResources.RowDatabase rows;

    @BeforeAll
    static void startRowDatabase() throws Exception {
        rows = new GuardedResources.RowDatabase();
    }

    @AfterAll
    static void stopRowDatabase() throws Exception {
        if (rows != null) {
            rows.close();
        }
    }

    private static WorkloadRunner.Settings settings(Duration acquireWait, Duration patience) {
        WorkloadRunner.Settings base = FaultPlans.SHORT;
        return new WorkloadRunner.Settings(3, base.lease(), acquireWait, base.work(), base.retry(), 1, 5, 5, patience, false);
    }

    @Test
    void aClientThatDiesUnplannedFailsTheRunWithItsExitCodeAndStderr(@TempDir Path directory) {
        // Each client halts at its third acquisition: the warm-up's 5 need more than the 6 the three have before that.
        WorkloadRunner.Settings settings = new WorkloadRunner.Settings(3, FaultPlans.SHORT.lease(), Duration.ofSeconds(20),
                FaultPlans.SHORT.work(), FaultPlans.SHORT.retry(), 1, 10, 5, Duration.ofSeconds(30), false);
        assertThatThrownBy(() -> WorkloadRunner.run(new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.CLIENT_DIES),
                Fault.NONE, settings, directory.resolve("run"), rows))
                .hasMessageContaining("died unplanned")
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("this client dies on purpose");
    }

    @Test
    void aBackendThatNeverRecoversFailsTheRun(@TempDir Path directory) throws Exception {
        // Six acquisitions in all, then busy for everyone: the five after the injection never come.
        WorkloadRunner.Result result = WorkloadRunner.run(new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.WEDGES),
                Fault.NONE, settings(Duration.ofSeconds(2), Duration.ofSeconds(5)), directory.resolve("run"), rows);
        assertThat(result.problems()).singleElement().asString().contains("did not recover");
        assertThat(FaultSuiteTest.verdicts(result, Set.of())).anyMatch(verdict -> verdict.contains("did not recover"));
    }
}
