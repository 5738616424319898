package io.distlock.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker catches what it claims, on the kit's three classic bugs made cross-process (each
 * wraps the file backend and breaks one method; {@link BrokenFileBackends}).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BrokenBackendsFaultTest {

    @Test
    void theCheckerReportsWhatEachBugBreaks(@TempDir Path directory) throws Exception {
        WorkloadRunner.Settings base = FaultPlans.SHORT;
        // Non-atomic acquire needs no fault, only contention: enough sections for two waiters to
        // meet in the gap between check and write.
        WorkloadRunner.Settings contended = new WorkloadRunner.Settings(3, base.lease(), base.acquireWait(), base.work(),
                base.retry(), 1, 5, 30, base.patience());
        // A release that ignores the owner deletes whoever holds now: pause a holder past its lease, so
        // its late release lands on the next holder's section (long sections make that likely).
        WorkloadRunner.Settings lateRelease = new WorkloadRunner.Settings(3, base.lease(), base.acquireWait(),
                Duration.ofMillis(200), base.retry(), 2, 5, 5, base.patience());
        List<FaultPlans.Run> runs = List.of(
                new FaultPlans.Run(() -> new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.ACQUIRE_NOT_ATOMIC),
                        Fault.NONE, contended),
                new FaultPlans.Run(() -> new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.RELEASE_IGNORES_OWNER),
                        Fault.PAUSE_HOLDER, lateRelease),
                new FaultPlans.Run(() -> new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.TOKENS_REPEAT),
                        Fault.PAUSE_HOLDER, base));
        List<WorkloadRunner.Result> results = FaultPlans.execute(runs, directory);
        FaultPlans.publish("fault-report-broken.md", "Broken backends (the checker's proof)", results);

        Checker.Findings notAtomic = results.get(0).findings();
        assertThat(notAtomic.overlapsValid()).as(Report.details(results.get(0))).isPositive();
        assertThat(notAtomic.lostUnfenced()).as(Report.details(results.get(0))).isPositive();

        Checker.Findings ignoresOwner = results.get(1).findings();
        assertThat(ignoresOwner.overlapsValid()).as(Report.details(results.get(1))).isPositive();

        Checker.Findings repeats = results.get(2).findings();
        assertThat(repeats.tokenAnomalies()).as(Report.details(results.get(2))).isPositive();
        // Equal tokens pass the register's check: a stale holder's write with the same token is
        // accepted and loses the newer holder's update. Fencing is only as good as the tokens.
        assertThat(repeats.lostFenced()).as(Report.details(results.get(2))).isPositive();
        assertThat(repeats.lostRow()).as(Report.details(results.get(2))).isPositive();
    }
}
