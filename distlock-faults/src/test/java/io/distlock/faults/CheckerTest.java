package io.distlock.faults;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker on hand-written histories: it finds what it claims, and only what the times prove. */
class CheckerTest {

    /** One complete section: invoked at i, acquired at a, inside until x, released just after. */
    private static List<String> section(long op, long i, long a, long x, boolean heldAtEnd, long token) {
        String held = heldAtEnd ? "1" : "0";
        List<String> lines = new ArrayList<>();
        lines.add("INVOKE " + op + " " + i + " - ");
        lines.add("ACQ " + op + " " + a + " 1 " + token);
        lines.add("READ " + op + " " + (a + 1) + " 1 ok");
        lines.add("UW " + op + " " + (x - 2) + " " + held + " e" + token);
        lines.add("FW " + op + " " + (x - 1) + " " + held + " e" + token + " ok");
        lines.add("EXIT " + op + " " + x + " " + held + " ");
        lines.add("REL " + op + " " + (x + 1) + " - true");
        return lines;
    }

    private static List<History.Op> ops(List<String> a, List<String> b) {
        List<History.Op> ops = new ArrayList<>(History.parse("a", a));
        ops.addAll(History.parse("b", b));
        return ops;
    }

    private static final Set<String> ALL = Set.of("e1", "e2");

    @Test
    void sectionsThatCertainlyOverlapWithValidLeasesAreOverlaps() {
        Checker.Findings f = Checker.check(ops(section(1, 0, 10, 100, true, 1), section(1, 0, 50, 150, true, 2)), ALL, ALL);
        assertThat(f.overlapsValid()).isEqualTo(1);
        assertThat(f.overlapsAll()).isEqualTo(1);
        assertThat(f.tokenAnomalies()).isZero();
        assertThat(f.longestValidOverlapNanos()).as("both inside with valid leases from 50 to 100").isEqualTo(50);
    }

    @Test
    void sectionsOneAfterTheOtherAreNot() {
        // b acquired at 100, the moment a recorded its exit: not certainly overlapping.
        Checker.Findings f = Checker.check(ops(section(1, 0, 10, 100, true, 1), section(1, 5, 100, 150, true, 2)), ALL, ALL);
        assertThat(f.overlapsValid()).isZero();
        assertThat(f.overlapsAll()).isZero();
        assertThat(f.longestUnavailableNanos()).isZero();
    }

    @Test
    void aHolderPastItsLeaseOverlapsOnlyAsLate() {
        // a's lease was valid only until its READ at 11; it wrote at 198 and 199 with isHeld() false.
        Checker.Findings f = Checker.check(ops(section(1, 0, 10, 200, false, 1), section(1, 5, 50, 150, true, 2)),
                Set.of("e1"), Set.of("e2"));
        assertThat(f.overlapsValid()).isZero();
        assertThat(f.overlapsAll()).isEqualTo(1);
        assertThat(f.lateUnfencedWrites()).isEqualTo(1);
        assertThat(f.lostUnfenced()).as("e2 overwritten by a's late write").isEqualTo(1);
        assertThat(f.lostFenced()).as("e1 'ok' but missing").isEqualTo(1);
        // b waited from 5 to 50 while a's valid hold ended at 11.
        assertThat(f.longestUnavailableNanos()).isEqualTo(39);
    }

    @Test
    void failedAcquiresInARowAreOneWait() {
        // b's calls fail at once from 20 to 90, with its pacing between them, then one succeeds
        // at 110; a's valid hold ended at 11 (and a releases at 101).
        List<String> failing = List.of("INVOKE 1 20 - ", "FAIL 1 21 - LockBackendException",
                "INVOKE 2 40 - ", "FAIL 2 41 - LockBackendException", "INVOKE 3 90 - ", "ACQ 3 110 1 2",
                "READ 3 111 1 ok", "UW 3 112 1 e2", "FW 3 113 1 e2 ok", "EXIT 3 114 1 ", "REL 3 115 - true");
        Checker.Findings f = Checker.check(ops(section(1, 0, 10, 100, false, 1), failing), ALL, ALL);
        assertThat(f.failedAcquisitions()).isEqualTo(2);
        assertThat(f.longestUnavailableNanos()).isEqualTo(110 - 20);
    }

    @Test
    void aLowerTokenAfterAnAcquisitionThatCertainlyCameFirstIsAnAnomaly() {
        Checker.Findings f = Checker.check(ops(section(1, 0, 10, 100, true, 5), section(1, 20, 100, 150, true, 4)),
                Set.of(), Set.of());
        assertThat(f.tokenAnomalies()).isEqualTo(1);
    }

    @Test
    void aLowerTokenFromAConcurrentAcquireIsNotJudged() {
        // b asked at 5, before a's acquire returned at 10: their order is unknown.
        Checker.Findings f = Checker.check(ops(section(1, 0, 10, 100, true, 5), section(1, 5, 100, 150, true, 4)),
                Set.of(), Set.of());
        assertThat(f.tokenAnomalies()).isZero();
    }

    @Test
    void aRepeatedTokenIsAnAnomalyInAnyOrder() {
        Checker.Findings f = Checker.check(ops(section(1, 0, 10, 100, true, 7), section(1, 5, 100, 150, true, 7)),
                Set.of(), Set.of());
        assertThat(f.tokenAnomalies()).isEqualTo(2);
    }

    @Test
    void aKilledHolderCountsUntilItsLastRecordedMoment() {
        List<String> killed = List.of("INVOKE 1 0 - ", "ACQ 1 10 1 1", "READ 1 20 1 ok", "UW 1 3");
        Checker.Findings f = Checker.check(ops(killed, section(1, 5, 15, 150, true, 2)), Set.of("e2"), Set.of("e2"));
        assertThat(f.overlapsValid()).isEqualTo(1);
        f = Checker.check(ops(killed, section(1, 5, 20, 150, true, 2)), Set.of("e2"), Set.of("e2"));
        assertThat(f.overlapsValid()).isZero();
        assertThat(f.lostUnfenced()).as("a write never recorded is never counted").isZero();
    }

    @Test
    void refusedFencedAccessesAreCountedNotLost() {
        List<String> refused = List.of("INVOKE 1 0 - ", "ACQ 1 10 1 1", "READ 1 11 1 refused", "UW 1 20 1 e1",
                "FW 1 21 1 e1 skipped", "EXIT 1 22 1 ", "REL 1 23 - true");
        Checker.Findings f = Checker.check(History.parse("a", refused), Set.of("e1"), Set.of());
        assertThat(f.fencedRefusals()).isEqualTo(1);
        assertThat(f.lostFenced()).isZero();
    }

    @Test
    void theFencedRowIsJudgedLikeTheRegister() {
        // a: row read ok, row written ok, but e1 is missing at the end: lost. b: its row read refused.
        List<String> a = List.of("INVOKE 1 0 - ", "ACQ 1 10 1 1", "READ 1 11 1 ok ok", "UW 1 20 1 e1",
                "FW 1 21 1 e1 ok", "RW 1 22 1 e1 ok", "EXIT 1 23 1 ", "REL 1 24 - true");
        List<String> b = List.of("INVOKE 1 30 - ", "ACQ 1 40 1 2", "READ 1 41 1 ok refused", "UW 1 50 1 e2",
                "FW 1 51 1 e2 ok", "RW 1 52 1 e2 skipped", "EXIT 1 53 1 ", "REL 1 54 - true");
        Checker.Findings f = Checker.check(ops(a, b), ALL, ALL, Set.of("e2"), Checker.Context.NONE);
        assertThat(f.lostRow()).isEqualTo(1);
        assertThat(f.rowRefusals()).isEqualTo(1);
        assertThat(f.lostFenced()).as("the register kept both").isZero();
        assertThat(f.fencedRefusals()).isZero();
    }

    @Test
    void aReleaseThatReturnsFalseWithNothingToExplainItIsUnexplained() {
        List<String> refused = new ArrayList<>(section(1, 0, 10, 100, true, 1));
        refused.set(refused.size() - 1, "REL 1 101 - false");
        Checker.Context lease = new Checker.Context(1_000, List.of());
        Checker.Findings f = Checker.check(History.parse("a", refused), Set.of("e1"), Set.of("e1"), Set.of(), lease);
        assertThat(f.releasedFalse()).isEqualTo(1);
        assertThat(f.unexplainedReleaseFailures()).isEqualTo(1);

        refused.set(refused.size() - 1, "REL 1 101 - false LockBackendException");
        f = Checker.check(History.parse("a", refused), Set.of("e1"), Set.of("e1"), Set.of(), lease);
        assertThat(f.unexplainedReleaseFailures()).as("a release that threw is a release that failed").isEqualTo(1);
    }

    @Test
    void aFaultALapsedLeaseOrALostReportExplainsAFalseRelease() {
        List<String> refused = new ArrayList<>(section(1, 0, 10, 100, true, 1));
        refused.set(refused.size() - 1, "REL 1 101 - false");
        List<History.Op> ops = History.parse("a", refused);
        Set<String> e1 = Set.of("e1");
        // A server fault (every client) while it held; a fault on another client explains nothing.
        assertThat(Checker.check(ops, e1, e1, Set.of(), new Checker.Context(1_000,
                List.of(new Checker.Window(50, 60, null)))).unexplainedReleaseFailures()).isZero();
        assertThat(Checker.check(ops, e1, e1, Set.of(), new Checker.Context(1_000,
                List.of(new Checker.Window(50, 60, "b")))).unexplainedReleaseFailures()).isEqualTo(1);
        assertThat(Checker.check(ops, e1, e1, Set.of(), new Checker.Context(1_000,
                List.of(new Checker.Window(102, 160, null)))).unexplainedReleaseFailures()).as("after it").isEqualTo(1);
        // The release came a lease or more after the acquisition.
        assertThat(Checker.check(ops, e1, e1, Set.of(), new Checker.Context(91, List.of())).unexplainedReleaseFailures())
                .isZero();
        // isHeld() already false at the exit.
        List<History.Op> lapsed = History.parse("a", withRelease(section(1, 0, 10, 100, false, 1), "false"));
        assertThat(Checker.check(lapsed, e1, e1, Set.of(), new Checker.Context(1_000, List.of()))
                .unexplainedReleaseFailures()).isZero();
        // The engine reported it lost.
        List<String> lost = new ArrayList<>(refused);
        lost.add(3, "LOST 1 40 - LockLostException");
        Checker.Findings f = Checker.check(History.parse("a", lost), e1, e1, Set.of(), new Checker.Context(1_000, List.of()));
        assertThat(f.unexplainedReleaseFailures()).isZero();
        assertThat(f.lostReports()).isEqualTo(1);
        assertThat(f.toldLost()).isEqualTo(1);
        // Reported by the release itself (after the exit): the release's own finding explains nothing.
        List<String> foundByRelease = new ArrayList<>(refused);
        foundByRelease.add(foundByRelease.size() - 1, "LOST 1 101 - LockLostException");
        assertThat(Checker.check(History.parse("a", foundByRelease), e1, e1, Set.of(),
                new Checker.Context(1_000, List.of())).unexplainedReleaseFailures()).isEqualTo(1);
    }

    private static List<String> withRelease(List<String> section, String outcome) {
        List<String> lines = new ArrayList<>(section);
        String last = lines.remove(lines.size() - 1);
        lines.add(last.substring(0, last.lastIndexOf(' ') + 1) + outcome);
        return lines;
    }
}
