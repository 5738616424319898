package io.distlock.testkit;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The kit can fail: each deliberately broken backend is caught by the rule it breaks. */
class BrokenBackendsTest {

    @Test
    void releaseThatIgnoresTheOwnerIsCaughtByRule_4_1() {
        assertThat(failedTests(BrokenBackends.ReleaseIgnoresOwnerSuite.class))
                .contains("rule_4_1_releaseChecksOwner");
    }

    @Test
    void nonAtomicAcquireIsCaughtByTheExclusionChecker() {
        assertThat(failedTests(BrokenBackends.AcquireNotAtomicSuite.class))
                .contains("rule_3_1_threads");
    }

    @Test
    void repeatingTokensAreCaughtByRule_3_2() {
        assertThat(failedTests(BrokenBackends.TokensRepeatSuite.class))
                .contains("rule_3_2_tokensIncrease");
    }

    @Test
    void theCorrectBackendFailsNothingUnderTheSameHarness() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(InMemoryContractTest.class))
                .execute().testEvents();
        assertThat(tests.failed().count()).as("failures: %s", names(tests.failed().list())).isZero();
        // Four rules do not apply in one JVM (processes, backend notification, namespaces, a
        // connection to drop).
        assertThat(tests.aborted().count()).isEqualTo(4);
        assertThat(tests.succeeded().count()).isEqualTo(contractTests() - 4);
    }

    private static List<String> failedTests(Class<?> suite) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(suite)).execute().testEvents();
        assertThat(tests.started().count()).as("tests run on %s", suite.getSimpleName()).isEqualTo(contractTests());
        return names(tests.failed().list());
    }

    /** The suite's tests: the {@code @Test} methods of its chapter interfaces. */
    private static long contractTests() {
        long count = Stream.of(LockContractSuite.class.getInterfaces())
                .flatMap(chapter -> Stream.of(chapter.getDeclaredMethods()))
                .filter(method -> method.isAnnotationPresent(Test.class))
                .count();
        assertThat(count).as("contract tests found").isPositive();
        return count;
    }

    private static List<String> names(List<Event> events) {
        return events.stream()
                .map(event -> event.getTestDescriptor().getLegacyReportingName().replace("()", "")
                        .replaceAll("\\(.*\\)", ""))
                .collect(Collectors.toList());
    }
}
