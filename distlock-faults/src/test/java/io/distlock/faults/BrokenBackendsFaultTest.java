package io.distlock.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker catches what it claims, on the kit's three classic bugs made cross-process (each
 * wraps the file backend and breaks one method; {@link BrokenFileBackends}). How often each is
 * caught is measured by {@link BrokenBackendsCatchRate}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BrokenBackendsFaultTest {

    @Test
    void theCheckerReportsWhatEachBugBreaks(@TempDir Path directory) throws Exception {
        List<WorkloadRunner.Result> results = FaultPlans.execute(runs(), directory);
        FaultPlans.publish("fault-report-broken.md", "Broken backends (the checker's proof)", results);
        for (WorkloadRunner.Result result : results) {
            assertThat(missed(result)).as(Report.details(result)).isEmpty();
        }
    }

    /** One run per bug, in {@link BrokenFileBackends.Bug} order. */
    static List<FaultPlans.Run> runs() {
        WorkloadRunner.Settings base = FaultPlans.SHORT;
        // Non-atomic acquire needs no fault, only contention: enough sections for two waiters to
        // meet in the gap between check and write.
        WorkloadRunner.Settings contended = new WorkloadRunner.Settings(3, base.lease(), base.acquireWait(), base.work(),
                base.retry(), 1, 5, 30, base.patience(), false);
        // A release that ignores the owner deletes whoever holds now: pause a holder past its lease, so
        // its late release lands on the next holder's section (long sections make that likely).
        WorkloadRunner.Settings lateRelease = new WorkloadRunner.Settings(3, base.lease(), base.acquireWait(),
                Duration.ofMillis(200), base.retry(), 2, 5, 5, base.patience(), false);
        return List.of(
                new FaultPlans.Run(() -> new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.ACQUIRE_NOT_ATOMIC),
                        Fault.NONE, contended),
                new FaultPlans.Run(() -> new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.RELEASE_IGNORES_OWNER),
                        Fault.PAUSE_HOLDER, lateRelease),
                new FaultPlans.Run(() -> new BrokenFileBackends.Adapter(BrokenFileBackends.Bug.TOKENS_REPEAT),
                        Fault.PAUSE_HOLDER, base));
    }

    /**
     * What a broken backend's run failed to show of its bug (empty: caught). The judgement is the
     * real backends' ({@link FaultSuiteTest#verdicts}, no waiver), so a bug counts as caught only
     * if the suite would fail a real backend that had it; plus the figure that names the bug.
     */
    static List<String> missed(WorkloadRunner.Result result) {
        List<String> missed = new ArrayList<>();
        if (FaultSuiteTest.verdicts(result, java.util.Set.of()).isEmpty()) {
            missed.add("no verdict of the suite failed");
        }
        Checker.Findings f = result.findings();
        String backend = result.backend();
        if (backend.contains(BrokenFileBackends.Bug.ACQUIRE_NOT_ATOMIC.parameter())) {
            if (f.overlapsValid() == 0) {
                missed.add("no overlap with valid leases");
            }
            if (f.lostUnfenced() == 0) {
                missed.add("no unfenced update lost");
            }
        }
        if (backend.contains(BrokenFileBackends.Bug.RELEASE_IGNORES_OWNER.parameter()) && f.overlapsValid() == 0
                && f.unexplainedReleaseFailures() == 0) {
            missed.add("neither an overlap with valid leases nor a release refused without a cause");
        }
        if (backend.contains(BrokenFileBackends.Bug.TOKENS_REPEAT.parameter())) {
            if (f.tokenAnomalies() == 0) {
                missed.add("no token anomaly");
            }
            // Equal tokens pass both fenced resources' checks: a stale holder's write with the same
            // token is accepted and loses the newer holder's update. Fencing is only as good as the tokens.
            if (f.lostFenced() == 0 || f.lostRow() == 0) {
                missed.add("no fenced update lost on both resources");
            }
        }
        return missed;
    }
}
