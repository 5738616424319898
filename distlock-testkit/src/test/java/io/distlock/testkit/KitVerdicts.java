package io.distlock.testkit;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * Runs kit tests on a contract suite through the JUnit engine and reads their outcome, so a test can
 * show that a rule fails on a broken backend, and why. Shared with distlock-faults (test-jar), whose
 * broken backends wrap the file backend.
 */
public final class KitVerdicts {
    private KitVerdicts() {
    }

    /**
     * Runs the kit's test {@code rule} on {@code suite}: it must fail with a {@code type} whose message
     * contains one of {@code reasons} (none for a type that has no message, such as a future's
     * timeout).
     */
    public static void assertCaught(Class<? extends LockContractSuite> suite, String rule,
                                    Class<? extends Throwable> type, String... reasons) {
        Events tests = run(suite, rule);
        Map<String, Throwable> failures = failures(tests);
        assertThat(failures).as("rules failed by %s (aborted: %s)", suite.getSimpleName(), names(tests.aborted().list()))
                .containsKey(rule);
        assertThat(failures.get(rule)).as("why %s failed on %s", rule, suite.getSimpleName()).isInstanceOf(type);
        if (reasons.length > 0) {
            String message = String.valueOf(failures.get(rule).getMessage());
            assertThat(reasons).as("why %s failed on %s: %s", rule, suite.getSimpleName(), message)
                    .anyMatch(message::contains);
        }
    }

    /** Runs the kit's test {@code rule} on {@code suite}: it must pass. */
    public static void assertPasses(Class<? extends LockContractSuite> suite, String rule) {
        Events tests = run(suite, rule);
        assertThat(failures(tests)).as("failures of %s on %s", rule, suite.getSimpleName()).isEmpty();
        assertThat(tests.succeeded().count()).as("%s passed on %s (aborted: %s)", rule, suite.getSimpleName(),
                names(tests.aborted().list())).isEqualTo(1);
    }

    private static Events run(Class<? extends LockContractSuite> suite, String rule) {
        Method test = contractTests().filter(method -> method.getName().equals(rule)).findFirst()
                .orElseThrow(() -> new AssertionError("the kit has no test " + rule));
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(suite, test)).execute().testEvents();
        assertThat(tests.started().count()).as("tests run on %s", suite.getSimpleName()).isEqualTo(1);
        return tests;
    }

    /** The kit's tests: the {@code @Test} methods of its chapter interfaces. */
    public static Stream<Method> contractTests() {
        return Stream.of(LockContractSuite.class.getInterfaces())
                .flatMap(chapter -> Stream.of(chapter.getDeclaredMethods()))
                .filter(method -> method.isAnnotationPresent(Test.class));
    }

    /** Each failed test's method name, with what it threw. */
    public static Map<String, Throwable> failures(Events tests) {
        Map<String, Throwable> failures = new LinkedHashMap<>();
        for (Event event : tests.failed().list()) {
            failures.put(name(event), event.getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable).orElse(null));
        }
        return failures;
    }

    /** The method names of {@code events}' tests. */
    public static List<String> names(List<Event> events) {
        return events.stream().map(KitVerdicts::name).collect(Collectors.toList());
    }

    private static String name(Event event) {
        return event.getTestDescriptor().getLegacyReportingName().replace("()", "").replaceAll("\\(.*\\)", "");
    }
}
