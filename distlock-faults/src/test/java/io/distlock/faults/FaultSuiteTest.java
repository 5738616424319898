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
        List<WorkloadRunner.Result> results = FaultPlans.execute(FaultPlans.realBackends(FaultPlans.SHORT, false), directory);
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
            if (!tokensMayRepeat(result)) {
                softly.assertThat(f.lostFenced()).as("fenced lost updates: " + details).isZero();
                softly.assertThat(f.lostRow()).as("fenced row lost updates: " + details).isZero();
            }
            if (!cannotPromiseExclusion(result)) {
                softly.assertThat(f.overlapsValid()).as("overlaps with valid leases: " + details).isZero();
                softly.assertThat(f.tokenAnomalies()).as("token anomalies: " + details).isZero();
            }
            if (result.fault() == Fault.FAILOVER_UNREPLICATED) {
                // The promoted replica never saw the last token: its counter hands it out again.
                softly.assertThat(f.tokenAnomalies()).as("token anomalies after an unreplicated failover: " + details)
                        .isPositive();
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
     * the figures without a verdict: a single Redis, or a Cluster primary without a replica, that
     * restarts without persistence, and memcached, forget their locks (memcached's counter starts
     * again from the server's clock, which repeats tokens within the same second); a Redis failover
     * loses what the replica had not received, and a primary frozen past its failover serves its
     * clients as a second primary until it is demoted (distlock-redis README); a ZooKeeper session
     * shorter than the lease can expire, and hand the lock on, while its holder's lease still runs;
     * a PostgreSQL that acknowledges commits before they are on disk forgets the last ones in a
     * crash; a JDBC session lock goes with its database session, which a dropped connection or a
     * restarted server ends at once, before its holder's backend notices.
     */
    static boolean cannotPromiseExclusion(WorkloadRunner.Result result) {
        String backend = result.backend();
        Fault fault = result.fault();
        boolean sessionLocks = backend.equals(PostgresAdapter.SESSION_NAME) || backend.equals(MariaDbAdapter.SESSION_NAME);
        return tokensMayRepeat(result)
                || backend.equals(ZooKeeperAdapter.SHORT_SESSION_NAME)
                || fault == Fault.SERVER_RESTART && (backend.startsWith("redis") || backend.equals("memcached")
                || backend.equals(PostgresAdapter.ASYNCHRONOUS_COMMIT_NAME))
                || sessionLocks && (fault == Fault.CONNECTION_CUT || fault == Fault.SERVER_RESTART);
    }

    /**
     * A failover can give the promoted replica a token counter behind the one that died, so a
     * token is handed out again; a fenced resource that lets an equal token pass (it refuses only
     * lower ones) can then lose an update, as the broken backend's repeated tokens show. (A restart
     * without persistence starts the counter from the server's clock, so tokens still grow.)
     */
    static boolean tokensMayRepeat(WorkloadRunner.Result result) {
        return switch (result.fault()) {
            case FAILOVER, FAILOVER_UNREPLICATED, FAILOVER_PAUSED -> true;
            default -> false;
        };
    }
}
