package io.distlock.testkit;

import io.distlock.LockTimeoutException;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.Set;

import static io.distlock.testkit.KitVerdicts.assertCaught;
import static io.distlock.testkit.KitVerdicts.assertPasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The kit can fail: each deliberately broken backend is caught by the rule it breaks, for the
 * reason it breaks it (the failure's type and message), while the correct backend fails nothing
 * under the same harness. distlock-faults' BrokenFileBackendsContractTest runs the same bugs on the
 * file backend, where the multi-process, wake-up and namespace rules apply too.
 */
class BrokenBackendsTest {

    @Test
    void releaseThatIgnoresTheOwnerIsCaughtByRule_4_1() {
        assertCaught(BrokenBackends.ReleaseIgnoresOwnerSuite.class, "rule_4_1_releaseChecksOwner",
                AssertionError.class, "release of an expired, re-taken lock");
    }

    @Test
    void nonAtomicAcquireIsCaughtByTheExclusionChecker() {
        assertCaught(BrokenBackends.AcquireNotAtomicSuite.class, "rule_3_1_threads", AssertionError.class,
                "exclusion violations in the journal");
    }

    @Test
    void repeatingTokensAreCaughtByRule_3_2() {
        assertCaught(BrokenBackends.TokensRepeatSuite.class, "rule_3_2_tokensIncrease", AssertionError.class,
                "token of acquisition 1");
    }

    @Test
    void extendThatRenewsAnotherOwnersLockIsCaughtByRule_3_4() {
        assertCaught(BrokenBackends.ExtendIgnoresOwnerSuite.class, "rule_3_4_extendNeverTouchesAnotherOwner",
                AssertionError.class, "what the stale holder's extend of a lock another owner holds threw");
    }

    @Test
    void extendThatRevivesALapsedLeaseIsCaughtByRule_3_4() {
        assertCaught(BrokenBackends.ExtendRevivesLapsedSuite.class, "rule_3_4_extendNeverRevivesALapsedLease",
                AssertionError.class, "what the extend of a lease that ran out on the backend");
    }

    @Test
    void aStoreThatKeepsHalfTheLeaseIsCaughtByRule_3_1() {
        assertCaught(BrokenBackends.KeepsHalfTheLeaseSuite.class, "rule_3_1_exclusiveForTheWholeLease",
                AssertionError.class, "the holder's own view of validity (3.3) when another manager got the lock");
    }

    @Test
    void releaseAsCheckThenDeleteIsCaughtByRule_4_1() {
        assertCaught(BrokenBackends.ReleaseChecksThenDeletesSuite.class, "rule_4_1_releaseIsOneCompareAndDelete",
                AssertionError.class, "once the first owner's release, racing its lease's end, returned");
    }

    @Test
    void namesCutTo200BytesAreCaughtByRule_6_1() {
        assertCaught(BrokenBackends.CutsNamesSuite.class, "rule_6_1_longNamesDifferingInTheLastByte",
                AssertionError.class, "whose first 1,000 bytes are those of a name already held");
    }

    @Test
    void namespaceJoinedToTheNameIsCaughtByRule_7_2() {
        assertCaught(BrokenBackends.JoinsNamespaceSuite.class, "rule_7_2_prefixNamespaces",
                LockTimeoutException.class, "was busy (tried once, as asked)");
    }

    @Test
    void handOverThatIgnoresTheOwnerIsCaughtByRule_4_1() {
        assertCaught(BrokenBackends.HandOverIgnoresOwnerSuite.class, "rule_4_1_handOverChecksOwner",
                AssertionError.class, "release of a lock another owner holds now", "after the stale owner's release");
    }

    @Test
    void tokensThatRestartWithTheServerAreCaughtByRule_3_2() {
        assertCaught(BrokenBackends.VolatileTokensSuite.class, "rule_3_2_tokensIncreaseAcrossRestart",
                AssertionError.class, "token after the restart");
    }

    @Test
    void aDroppedConnectionReportedAsLossIsCaughtByRule_6_4() {
        // The same simulated connection, reporting the drop correctly, passes both tests of 6.4.
        assertPasses(BrokenBackends.DroppableConnectionSuite.class, "rule_6_4_droppedConnectionRestores");
        assertPasses(BrokenBackends.DroppableConnectionSuite.class, "rule_6_4_droppedConnectionNoticed");
        assertCaught(BrokenBackends.ReportsDropAsLossSuite.class, "rule_6_4_droppedConnectionRestores",
                AssertionError.class, "verify() asks the backend and hears the lock is still the holder's");
    }

    @Test
    void aRuleDeclaredNotApplicableButNotPinnedIsCaughtByRule_7_1() {
        assertCaught(SilentOptOutSuite.class, "rule_7_1_notApplicableIsPinned", AssertionError.class,
                "rules SilentOptOutSuite declares not applicable");
    }

    @Test
    void theCorrectBackendFailsNothingUnderTheSameHarness() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(InMemoryContractTest.class))
                .execute().testEvents();
        assertThat(KitVerdicts.failures(tests)).as("failures").isEmpty();
        // The parts that do not apply in one JVM (processes, a restart, backend notification,
        // namespaces, a connection to drop), each aborted with its reason.
        assertThat(KitVerdicts.names(tests.aborted().list())).containsExactlyInAnyOrder("rule_3_1_processes",
                "rule_3_2_tokensIncreaseAcrossRestart", "rule_2_5_backendNotificationWakes", "rule_7_2_namespaces",
                "rule_7_2_prefixNamespaces", "rule_6_4_droppedConnectionRestores", "rule_6_4_droppedConnectionNoticed");
        assertThat(tests.succeeded().count()).isEqualTo(KitVerdicts.contractTests().count() - 7);
    }

    /** The correct store, declaring one part not applicable that its pinned set leaves out. */
    static class SilentOptOutSuite extends BrokenBackends.SuiteOn {
        @Override
        LockBackend broken(LockBackend store) {
            return new SharedStore(store);
        }

        @Override
        protected Set<ContractRule> pinnedNotApplicable() {
            return Set.of(MULTI_PROCESS, RELEASE_NOTIFICATION, NAMESPACE, CONNECTION_DROP, DROP_NOTICED);
        }
    }
}
