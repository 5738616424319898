package io.distlock.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tests and docs/lock-contract.md agree: every test cites a rule the document has, each
 * chapter interface holds only its chapter's rules, and every rule is tested here unless the
 * document says where else it is.
 */
class ContractDocumentTest {
    /** Surefire runs in the module's directory; the document is at the repository's root. */
    private static final Path DOCUMENT = Path.of("..", "docs", "lock-contract.md");
    private static final Pattern RULE_CITED = Pattern.compile("^(\\d+\\.\\d+) ");
    private static final Map<Class<?>, String> CHAPTERS = Map.of(
            Acquiring.class, "2", Holding.class, "3", Releasing.class, "4",
            SeeingAndRepairing.class, "5", BadInputAndFaults.class, "6", PerBackend.class, "7");
    /** Rules with no test in the kit, and where docs/lock-contract.md says they are checked. */
    private static final Map<String, String> TESTED_ELSEWHERE = Map.of(
            "6.3", "each backend's module, which can stop its server",
            "6.6", "distlock-core's PrintableTest and the command line's tests of status, list and busy lines",
            "6.7", "distlock-core's SecretsTest and each backend's settings tests",
            "7.3", "each backend's README");
    /** A chapter no backend offers yet: the document lists it under "Not yet kept" instead. */
    private static final String NOT_OFFERED_CHAPTER = "8";

    @Test
    void everyTestCitesARuleOfTheDocument() throws IOException {
        Set<String> rules = rulesOfTheDocument();
        assertThat(cited(testMethods())).as("rules cited by the tests").isSubsetOf(rules);
    }

    @Test
    void eachChapterInterfaceHoldsItsChapter() {
        assertThat(CHAPTERS.keySet()).containsExactlyInAnyOrder(LockContractSuite.class.getInterfaces());
        CHAPTERS.forEach((chapter, number) -> assertThat(cited(Stream.of(chapter.getDeclaredMethods())))
                .as("rules cited in %s", chapter.getSimpleName())
                .isNotEmpty()
                .allMatch(rule -> rule.startsWith(number + ".")));
    }

    @Test
    void everyRuleFromChapterTwoOnIsTestedOrSaysWhereItIs() throws IOException {
        Set<String> untested = new TreeSet<>(rulesOfTheDocument());
        untested.removeIf(rule -> rule.startsWith("1."));
        if (notYetKept().contains("Chapter " + NOT_OFFERED_CHAPTER)) {
            untested.removeIf(rule -> rule.startsWith(NOT_OFFERED_CHAPTER + "."));
        }
        untested.removeAll(cited(testMethods()));
        assertThat(untested).as("rules without a test in the kit").isEqualTo(new TreeSet<>(TESTED_ELSEWHERE.keySet()));
    }

    /** The text of the section "## Not yet kept". */
    private static String notYetKept() throws IOException {
        String document = Files.readString(DOCUMENT);
        int start = document.indexOf("\n## Not yet kept");
        assertThat(start).as("the section 'Not yet kept' in %s", DOCUMENT).isNotNegative();
        int end = document.indexOf("\n## ", start + 1);
        return document.substring(start, end < 0 ? document.length() : end);
    }

    /** "2.3" for each item "3." under the heading "## 2. ...". */
    private static Set<String> rulesOfTheDocument() throws IOException {
        assertThat(DOCUMENT).as("the contract in the repository").exists();
        Set<String> rules = new LinkedHashSet<>();
        Pattern chapter = Pattern.compile("^## (\\d+)\\. ");
        Pattern item = Pattern.compile("^(\\d+)\\. ");
        String current = null;
        for (String line : Files.readAllLines(DOCUMENT)) {
            Matcher heading = chapter.matcher(line);
            if (heading.find()) {
                current = heading.group(1);
            } else if (line.startsWith("## ")) {
                current = null;
            } else if (current != null) {
                Matcher rule = item.matcher(line);
                if (rule.find()) {
                    rules.add(current + "." + rule.group(1));
                }
            }
        }
        assertThat(rules).as("rules found in %s", DOCUMENT).contains("2.1", "7.3");
        return rules;
    }

    private static Stream<Method> testMethods() {
        return Stream.concat(CHAPTERS.keySet().stream().flatMap(chapter -> Stream.of(chapter.getDeclaredMethods())),
                Stream.of(EngineRulesTest.class.getDeclaredMethods()));
    }

    private static Set<String> cited(Stream<Method> methods) {
        Set<String> rules = new TreeSet<>();
        methods.filter(method -> method.isAnnotationPresent(Test.class)).forEach(method -> {
            DisplayName name = method.getAnnotation(DisplayName.class);
            assertThat(name).as("display name of %s", method.getName()).isNotNull();
            Matcher rule = RULE_CITED.matcher(name.value());
            assertThat(rule.find()).as("'%s' starts with its rule's number", name.value()).isTrue();
            assertThat(method.getName()).as("method of rule %s", rule.group(1))
                    .startsWith("rule_" + rule.group(1).replace('.', '_') + "_");
            rules.add(rule.group(1));
        });
        return rules;
    }
}
