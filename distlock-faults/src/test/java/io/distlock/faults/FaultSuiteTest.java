package io.distlock.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

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

    /** Every verdict of every run; the failures of all runs together. */
    static void assertPromises(List<WorkloadRunner.Result> results) {
        List<String> failures = new ArrayList<>();
        for (WorkloadRunner.Result result : results) {
            List<String> verdicts = verdicts(result, KnownBreak.of(result.backend(), result.fault()));
            if (!verdicts.isEmpty()) {
                failures.add(String.join("\n", verdicts) + "\n" + Report.details(result));
            }
        }
        assertThat(failures).as("runs that broke a promise their backend makes").isEmpty();
    }

    /**
     * What a run broke of what every backend promises under every fault, but for the promises that
     * {@code breaks} waive (each waiver names its known break); empty if nothing. A pause of the
     * holder is the one fault under which a holder outlives its lease: there exclusion holds only
     * by the lease ({@code isHeld()} false), and the fenced resources must refuse the late writer.
     */
    static List<String> verdicts(WorkloadRunner.Result result, Set<KnownBreak> breaks) {
        List<String> broken = new ArrayList<>(result.problems());
        Checker.Findings f = result.findings();
        Fault fault = result.fault();
        boolean exclusion = !KnownBreak.waived(breaks, KnownBreak.Promise.EXCLUSION);
        boolean tokenOrder = !KnownBreak.waived(breaks, KnownBreak.Promise.TOKEN_ORDER);
        check(broken, f.acquisitions() > 0, "no acquisition");
        if (fault != Fault.NONE) {
            check(broken, result.effectiveInjections() == result.injections().size(),
                    result.effectiveInjections() + " of " + result.injections().size() + " injections effective");
        }
        check(broken, f.unexplainedReleaseFailures() == 0,
                f.unexplainedReleaseFailures() + " releases returned false with no fault or lapsed lease to explain it");
        long bound = unavailabilityBound(result).toNanos();
        check(broken, f.longestUnavailableNanos() <= bound, "unavailable for " + f.longestUnavailableNanos() / 1_000_000
                + " ms, more than the bound of " + bound / 1_000_000 + " ms");
        if (tokenOrder) {
            check(broken, f.tokenAnomalies() == 0, f.tokenAnomalies() + " token anomalies");
            // Only a token handed out again can lose a fenced update (an equal token passes).
            check(broken, f.lostFenced() == 0, f.lostFenced() + " fenced register updates lost");
            check(broken, f.lostRow() == 0, f.lostRow() + " fenced row updates lost");
        }
        if (exclusion) {
            check(broken, f.overlapsValid() == 0, f.overlapsValid() + " overlaps with valid leases");
        }
        if (exclusion && tokenOrder && fault != Fault.PAUSE_HOLDER) {
            // One holder at a time, and no holder past its lease: nothing to lose, nothing to refuse.
            check(broken, f.lostUnfenced() == 0, f.lostUnfenced() + " unfenced updates lost");
            check(broken, f.fencedRefusals() == 0 && f.rowRefusals() == 0,
                    f.fencedRefusals() + " / " + f.rowRefusals() + " fenced refusals (register / row)");
        }
        if (fault == Fault.FAILOVER_UNREPLICATED) {
            // The promoted replica never saw the last token: its counter hands it out again.
            check(broken, f.tokenAnomalies() > 0, "no token anomaly after a failover before replication");
        }
        if (fault == Fault.PAUSE_HOLDER) {
            // What fencing saves: the paused holder's late write lost someone's update on the
            // unfenced set, and both fenced resources refused it.
            check(broken, f.lostUnfenced() > 0, "no unfenced update lost after a pause");
            check(broken, f.fencedRefusals() > 0, "no fenced register refusal after a pause");
            check(broken, f.rowRefusals() > 0, "no fenced row refusal after a pause");
            if (result.settings().autoRenew()) {
                // Its renewals stopped with it: it must learn that the lock is gone, from the
                // lost-lock listener or from its release.
                check(broken, f.toldLost() >= result.effectiveInjections(), f.toldLost()
                        + " holders told of a lost lock after " + result.effectiveInjections()
                        + " pauses of an auto-renewed holder");
            }
        }
        return broken;
    }

    /**
     * The longest a backend may leave every client without a lock: five leases (a lease to run out,
     * memcached's rounding up to whole seconds and two more, a restart, the clients' reconnects),
     * plus 3 s, or 10 s for a failover (the sentinels' 3 s before they call the primary down, the
     * election, the clients finding the new primary).
     */
    static Duration unavailabilityBound(WorkloadRunner.Result result) {
        boolean failover = switch (result.fault()) {
            case FAILOVER, FAILOVER_UNREPLICATED, FAILOVER_PAUSED -> true;
            default -> false;
        };
        return result.settings().lease().multipliedBy(5).plus(Duration.ofSeconds(failover ? 10 : 3));
    }

    private static void check(List<String> broken, boolean kept, String otherwise) {
        if (!kept) {
            broken.add(otherwise);
        }
    }
}
