package io.distlock.faults;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The short fault suite, in every build: each real backend under the one fault of it that says most
 * ({@link FaultPlans.Backend#shortFaults()}), once.
 * The full one is {@link FaultSuiteFull}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FaultSuiteTest {

    @Test
    void realBackendsKeepTheFencedResourceWhole(@TempDir Path directory) throws Exception {
        List<WorkloadRunner.Result> results = FaultPlans.execute(FaultPlans.shortSuite(), directory);
        FaultPlans.publish("fault-report-short.md", "Short suite", results);
        assertPromises(results);
    }

    /** What every real backend must show under every fault, and what a pause must show. */
    static void assertPromises(List<WorkloadRunner.Result> results) {
        SoftAssertions softly = new SoftAssertions();
        for (WorkloadRunner.Result result : results) {
            Checker.Findings f = result.findings();
            String details = Report.details(result);
            softly.assertThat(f.acquisitions()).as("acquisitions: " + details).isPositive();
            if (result.fault() != Fault.NONE) {
                softly.assertThat(result.effectiveInjections()).as("effective injections: " + details).isPositive();
            }
            softly.assertThat(f.lostFenced()).as("fenced lost updates: " + details).isZero();
            softly.assertThat(f.lostRow()).as("fenced row lost updates: " + details).isZero();
            if (!cannotPromiseExclusion(result)) {
                softly.assertThat(f.overlapsValid()).as("overlaps with valid leases: " + details).isZero();
                softly.assertThat(f.tokenAnomalies()).as("token anomalies: " + details).isZero();
            }
            if (result.fault() == Fault.PAUSE_HOLDER) {
                // What fencing saves: the paused holder's late write lost someone's update on the
                // unfenced set, and the register refused it.
                softly.assertThat(f.lostUnfenced()).as("unfenced lost updates after a pause: " + details).isPositive();
                softly.assertThat(f.fencedRefusals()).as("fenced refusals after a pause: " + details).isPositive();
                softly.assertThat(f.rowRefusals()).as("fenced row refusals after a pause: " + details).isPositive();
            }
        }
        softly.assertAll();
    }

    /**
     * Where a backend's README says it does not promise exclusion or token order, the table reports
     * the figures without a verdict: a single Redis without persistence, and memcached, forget their
     * locks when they restart (and Redis its token counter; memcached's counter starts again from
     * the server's clock, which repeats tokens within the same second); a ZooKeeper session shorter
     * than the lease can expire, and hand the lock on, while its holder's lease still runs; a
     * PostgreSQL that acknowledges commits before they are on disk forgets the last ones in a crash;
     * a JDBC session lock goes with its database session, which a dropped connection or a restarted
     * server ends at once, before its holder's backend notices.
     */
    static boolean cannotPromiseExclusion(WorkloadRunner.Result result) {
        String backend = result.backend();
        Fault fault = result.fault();
        boolean sessionLocks = backend.equals(PostgresAdapter.SESSION_NAME) || backend.equals(MariaDbAdapter.SESSION_NAME);
        return backend.equals(ZooKeeperAdapter.SHORT_SESSION_NAME)
                || fault == Fault.SERVER_RESTART && (backend.equals("redis") || backend.equals("memcached")
                || backend.equals(PostgresAdapter.ASYNCHRONOUS_COMMIT_NAME))
                || sessionLocks && (fault == Fault.CONNECTION_CUT || fault == Fault.SERVER_RESTART);
    }
}
