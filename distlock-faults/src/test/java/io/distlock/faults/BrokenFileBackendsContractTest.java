package io.distlock.faults;

import io.distlock.LockTimeoutException;
import io.distlock.file.FileLockBackend;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import static io.distlock.testkit.KitVerdicts.assertCaught;

/**
 * The kit's broken backends on the file backend ({@link BrokenFileBackends}): here the rules that
 * need another process, the backend's own release notification or namespaces face them too. Each
 * bug must fail the rule it breaks, for the reason it breaks it. (The rule that drops connections
 * has no bug here: files have no connection to drop.)
 */
class BrokenFileBackendsContractTest {

    @Test
    void nonAtomicAcquireIsCaughtAcrossProcesses() {
        assertCaught(AcquireNotAtomic.class, "rule_3_1_processes", AssertionError.class,
                "two holders overlapped", " was inside", "read the shared counter while another holder");
    }

    @Test
    void droppedReleaseNotificationsAreCaughtByRule_2_5() {
        // The waiter polls every 30 s: only the backend's notification could wake it within 10 s.
        assertCaught(DropsReleaseNotifications.class, "rule_2_5_backendNotificationWakes", TimeoutException.class);
    }

    @Test
    void namespaceJoinedToTheNameIsCaughtByRule_7_2() {
        assertCaught(JoinsNamespace.class, "rule_7_2_prefixNamespaces", LockTimeoutException.class,
                "was busy (tried once, as asked)");
    }

    @Test
    void extendThatRenewsAnotherOwnersLockIsCaughtByRule_3_4() {
        assertCaught(ExtendIgnoresOwner.class, "rule_3_4_extendNeverTouchesAnotherOwner", AssertionError.class,
                "what the stale holder's extend of a lock another owner holds threw");
    }

    @Test
    void extendThatRevivesALapsedLeaseIsCaughtByRule_3_4() {
        assertCaught(ExtendRevivesLapsed.class, "rule_3_4_extendNeverRevivesALapsedLease", AssertionError.class,
                "what the extend of a lease that ran out on the backend");
    }

    @Test
    void aStoreThatKeepsHalfTheLeaseIsCaughtByRule_3_1() {
        assertCaught(KeepsHalfTheLease.class, "rule_3_1_exclusiveForTheWholeLease", AssertionError.class,
                "the holder's own view of validity (3.3) when another manager got the lock");
    }

    @Test
    void releaseAsCheckThenDeleteIsCaughtByRule_4_1() {
        assertCaught(ReleaseChecksThenDeletes.class, "rule_4_1_releaseIsOneCompareAndDelete", AssertionError.class,
                "once the first owner's release, racing its lease's end, returned");
    }

    @Test
    void namesCutTo200BytesAreCaughtByRule_6_1() {
        assertCaught(CutsNames.class, "rule_6_1_longNamesDifferingInTheLastByte", AssertionError.class,
                "whose first 1,000 bytes are those of a name already held");
    }

    @Test
    void handOverThatIgnoresTheOwnerIsCaughtByRule_4_1() {
        assertCaught(HandOverIgnoresOwner.class, "rule_4_1_handOverChecksOwner", AssertionError.class,
                "release of a lock another owner holds now", "after the stale owner's release");
    }

    @Test
    void releaseThatIgnoresTheOwnerIsCaughtByRule_4_1() {
        assertCaught(ReleaseIgnoresOwner.class, "rule_4_1_releaseChecksOwner", AssertionError.class,
                "release of an expired, re-taken lock");
    }

    /**
     * A contract suite on one directory behind one bug, the one its subclass is named after
     * ({@code AcquireNotAtomic}: {@code ACQUIRE_NOT_ATOMIC}); child JVMs open the same bug by URI.
     */
    abstract static class FileSuiteOn extends LockContractSuite {
        @TempDir
        Path directory;

        BrokenFileBackends.Bug bug() {
            return BrokenFileBackends.Bug.valueOf(
                    getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        }

        @Override
        protected LockBackend newBackend() {
            return newBackend(FileLockBackend.DEFAULT_NAMESPACE);
        }

        @Override
        protected LockBackend newBackend(String namespace) {
            return BrokenFileBackends.open(bug(), directory, namespace);
        }

        @Override
        protected String backendUri() {
            return "broken-file:" + directory + "?bug=" + bug().parameter();
        }

        @Override
        protected void restartServer() {
            // A directory has no server: every newBackend() is a new instance on it.
        }

        @Override
        protected Map<ContractRule, String> notApplicable() {
            return Map.of(CONNECTION_DROP, "files have no connection", DROP_NOTICED, "files have no connection");
        }

        @Override
        protected Set<ContractRule> pinnedNotApplicable() {
            return Set.of(CONNECTION_DROP, DROP_NOTICED);
        }
    }

    static class AcquireNotAtomic extends FileSuiteOn {
    }

    static class DropsReleaseNotifications extends FileSuiteOn {
    }

    static class JoinsNamespace extends FileSuiteOn {
    }

    static class ExtendIgnoresOwner extends FileSuiteOn {
    }

    static class ExtendRevivesLapsed extends FileSuiteOn {
    }

    static class KeepsHalfTheLease extends FileSuiteOn {
    }

    static class ReleaseChecksThenDeletes extends FileSuiteOn {
    }

    static class CutsNames extends FileSuiteOn {
    }

    static class HandOverIgnoresOwner extends FileSuiteOn {
    }

    static class ReleaseIgnoresOwner extends FileSuiteOn {
    }
}
