package io.distlock.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The full fault suite: every real backend under every fault including the baseline, with more
 * clients and three injections each. Not named *Test, so only this runs it:
 * {@code mvn -B -ntp -pl distlock-faults -am verify -Dtest=FaultSuiteFull -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Timeout(value = 120, unit = TimeUnit.MINUTES)
class FaultSuiteFull {

    @Test
    void everyBackendUnderEveryFault(@TempDir Path directory) throws Exception {
        List<WorkloadRunner.Result> results = FaultPlans.execute(FaultPlans.realBackends(FaultPlans.FULL, true), directory);
        FaultPlans.publish("fault-report-full.md", "Full suite", results);
        FaultSuiteTest.assertPromises(results);
    }
}
