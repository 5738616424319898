package io.distlock.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a run from its histories and the resources' final contents. Every judgement is
 * conservative: it counts only what the recorded times prove, never what they merely allow.
 */
final class Checker {
    private static final int EXAMPLES = 3;

    private Checker() {
    }

    /**
     * What a run showed. Times in nanoseconds. {@code releasedFalse}: releases that returned false
     * (or threw); {@code unexplainedReleaseFailures}: those of them no fault, no lapsed lease and no
     * lost report explains; {@code lostReports}: sections whose lock the engine reported lost;
     * {@code toldLost}: sections whose holder learned the lock was gone, by a lost report or by a
     * release that returned false;
     * {@code longestValidOverlapNanos}: the longest two holders were certainly both inside with
     * valid leases (from the later one's acquisition to the earlier of their last such moments).
     */
    record Findings(int acquisitions, int failedAcquisitions,
                    int overlapsValid, int overlapsAll, int lateUnfencedWrites,
                    int lostUnfenced, int lostFenced, int fencedRefusals,
                    int tokenAnomalies, long longestUnavailableNanos, List<String> examples,
                    int lostRow, int rowRefusals, int releasedFalse, int unexplainedReleaseFailures,
                    int lostReports, int toldLost, long longestValidOverlapNanos) {
    }

    /**
     * What the run did that can explain a release that returned false: the lease, and each
     * injection's window ({@code client}: the one client it hit, or null for all of them).
     */
    record Context(long leaseNanos, List<Window> faults) {
        static final Context NONE = new Context(Long.MAX_VALUE, List.of());
    }

    /** An injection from {@code from} until it was healed at {@code to}, on one client or (null) every one. */
    record Window(long from, long to, String client) {
        boolean covers(History.Op op) {
            long end = op.released >= 0 ? op.released : Long.MAX_VALUE;
            return (client == null || client.equals(op.client)) && op.acquired <= to && end >= from;
        }
    }

    /** Histories without the fenced row (written before it existed, or by hand). */
    static Findings check(List<History.Op> ops, Set<String> finalUnfenced, Set<String> finalFenced) {
        return check(ops, finalUnfenced, finalFenced, Set.of(), Context.NONE);
    }

    static Findings check(List<History.Op> ops, Set<String> finalUnfenced, Set<String> finalFenced,
                          Set<String> finalRow, Context context) {
        List<History.Op> held = ops.stream().filter(History.Op::acquiredLock).toList();
        List<String> examples = new ArrayList<>();

        // Two sections certainly overlap when each began (acquire returned) before the other's last
        // recorded moment inside. "Valid": both ends also had isHeld() true, so the backend let two
        // holders in while each one's own conservative lease was still running: exclusion broken.
        // "All" also counts holders past their lease (a pause): what only fencing can guard against.
        long[] longestValid = {0};
        int overlapsValid = overlappingPairs(held, op -> op.lastHeld, "valid", examples, longestValid);
        int overlapsAll = overlappingPairs(held, op -> op.lastInside, "any", examples, new long[1]);

        int late = 0;
        int lostUnfenced = 0;
        int lostFenced = 0;
        int refusals = 0;
        int lostRow = 0;
        int rowRefusals = 0;
        for (History.Op op : held) {
            if (op.unfencedElement != null) {
                if (!op.unfencedWrittenHeld) {
                    late++;
                }
                if (!finalUnfenced.contains(op.unfencedElement)) {
                    lostUnfenced++;
                    example(examples, "unfenced update lost: " + op.unfencedElement + " (" + op + ")");
                }
            }
            if (op.fencedReadRefused || "refused".equals(op.fencedOutcome)) {
                refusals++;
            }
            if ("ok".equals(op.fencedOutcome) && !finalFenced.contains(op.fencedElement)) {
                lostFenced++;
                example(examples, "fenced update lost: " + op.fencedElement + " (" + op + ")");
            }
            if (op.rowReadRefused || "refused".equals(op.rowOutcome)) {
                rowRefusals++;
            }
            if ("ok".equals(op.rowOutcome) && !finalRow.contains(op.rowElement)) {
                lostRow++;
                example(examples, "fenced row update lost: " + op.rowElement + " (" + op + ")");
            }
        }
        int anomalies = tokenAnomalies(held, examples);
        int releasedFalse = 0;
        int unexplained = 0;
        for (History.Op op : held) {
            if (Boolean.FALSE.equals(op.releaseOutcome)) {
                releasedFalse++;
                if (!releaseFailureExplained(op, context)) {
                    unexplained++;
                    example(examples, "release returned false with no fault, lapsed lease or lost report to explain it: "
                            + op + " acquired at " + op.acquired + ", released at " + op.released);
                }
            }
        }
        return new Findings(held.size(), (int) ops.stream().filter(op -> op.failed >= 0).count(),
                overlapsValid, overlapsAll, late, lostUnfenced, lostFenced, refusals, anomalies,
                longestUnavailable(ops), List.copyOf(examples), lostRow, rowRefusals, releasedFalse, unexplained,
                (int) held.stream().filter(op -> op.lostReported >= 0).count(),
                (int) held.stream().filter(op -> op.lostReported >= 0 || Boolean.FALSE.equals(op.releaseOutcome)).count(),
                longestValid[0]);
    }

    /**
     * A release may return false when the lock was no longer this holder's to release: its lease
     * had lapsed by its exit ({@code isHeld()} false) or may have lapsed by the time the release
     * landed (a lease after the acquisition), the engine reported it lost while the section ran, or
     * a fault hit it while it held. Otherwise someone else released, or took, a lock whose lease
     * still ran. A loss reported after the exit is the release's own finding (the engine reports a
     * release answered "not yours" as a loss), so it explains nothing.
     */
    static boolean releaseFailureExplained(History.Op op, Context context) {
        boolean lostWhileInside = op.lostReported >= 0 && (op.exited < 0 || op.lostReported <= op.exited);
        return !op.exitHeld || lostWhileInside || op.released - op.acquired >= context.leaseNanos()
                || context.faults().stream().anyMatch(window -> window.covers(op));
    }

    private static int overlappingPairs(List<History.Op> held, java.util.function.ToLongFunction<History.Op> end,
                                        String kind, List<String> examples, long[] longest) {
        List<History.Op> sections = held.stream().filter(op -> end.applyAsLong(op) >= op.acquired)
                .sorted(Comparator.comparingLong(op -> op.acquired)).toList();
        int pairs = 0;
        List<History.Op> open = new ArrayList<>();
        for (History.Op next : sections) {
            open.removeIf(op -> end.applyAsLong(op) <= next.acquired);
            for (History.Op op : open) {
                if (!op.client.equals(next.client)) {
                    pairs++;
                    longest[0] = Math.max(longest[0],
                            Math.min(end.applyAsLong(op), end.applyAsLong(next)) - next.acquired);
                    example(examples, "overlap (" + kind + "): " + op + " inside until "
                            + end.applyAsLong(op) + ", " + next + " acquired at " + next.acquired);
                }
            }
            open.add(next);
        }
        return pairs;
    }

    /**
     * Acquisitions whose token is not greater than that of an acquisition that certainly came before
     * (its acquire returned before this one's was called), plus tokens handed out more than once.
     */
    private static int tokenAnomalies(List<History.Op> held, List<String> examples) {
        List<History.Op> byReturn = held.stream().sorted(Comparator.comparingLong(op -> op.acquired)).toList();
        List<History.Op> byCall = held.stream().filter(op -> op.invoked >= 0)
                .sorted(Comparator.comparingLong(op -> op.invoked)).toList();
        Set<History.Op> flagged = new HashSet<>();
        long highest = Long.MIN_VALUE;
        History.Op highestOp = null;
        int i = 0;
        for (History.Op op : byCall) {
            while (i < byReturn.size() && byReturn.get(i).acquired < op.invoked) {
                History.Op before = byReturn.get(i++);
                if (before.token > highest || highestOp == null) {
                    highest = before.token;
                    highestOp = before;
                }
            }
            if (highestOp != null && op.token <= highest) {
                flagged.add(op);
                example(examples, "token " + op.token + " of " + op + " not above token " + highest + " of "
                        + highestOp + ", acquired before it was asked for");
            }
        }
        Map<Long, List<History.Op>> byToken = new HashMap<>();
        held.forEach(op -> byToken.computeIfAbsent(op.token, t -> new ArrayList<>()).add(op));
        byToken.values().stream().filter(same -> same.size() > 1).forEach(flagged::addAll);
        return flagged.size();
    }

    /**
     * The longest stretch during which some client wanted the lock and no client held it with a
     * valid lease, from the first acquisition on (a JVM's start-up is no one's fault). A client
     * wants the lock from an acquire call until one returns the lock: failed calls in a row (a
     * backend that fails at once while its server is away) are one wait, not many short ones with
     * the client's pacing between them.
     */
    static long longestUnavailable(List<History.Op> ops) {
        long start = ops.stream().filter(History.Op::acquiredLock).mapToLong(op -> op.acquired).min().orElse(-1);
        if (start < 0) {
            return 0;
        }
        List<long[]> changes = new ArrayList<>(); // time, wanting delta, holding delta
        Map<String, List<History.Op>> byClient = new HashMap<>();
        ops.forEach(op -> byClient.computeIfAbsent(op.client, c -> new ArrayList<>()).add(op));
        for (List<History.Op> own : byClient.values()) {
            own.sort(Comparator.comparingLong(op -> op.op));
            long wantSince = -1;
            long lastFailure = -1;
            for (History.Op op : own) {
                if (op.invoked >= 0 && wantSince < 0) {
                    wantSince = op.invoked;
                }
                if (op.acquired >= 0 && wantSince >= 0) {
                    changes.add(new long[]{wantSince, 1, 0});
                    changes.add(new long[]{op.acquired, -1, 0});
                    wantSince = -1;
                    lastFailure = -1;
                } else if (op.failed >= 0) {
                    lastFailure = op.failed;
                }
            }
            if (wantSince >= 0 && lastFailure >= 0) {
                // It stopped (or was killed) still wanting: its wait ends at its last failure.
                changes.add(new long[]{wantSince, 1, 0});
                changes.add(new long[]{lastFailure, -1, 0});
            }
        }
        for (History.Op op : ops) {
            if (op.acquired >= 0 && op.lastHeld >= op.acquired) {
                changes.add(new long[]{op.acquired, 0, 1});
                changes.add(new long[]{op.lastHeld, 0, -1});
            }
        }
        // At one instant, holds begin before waits end: an acquisition is no gap.
        changes.sort(Comparator.<long[]>comparingLong(c -> c[0]).thenComparingLong(c -> -c[2]));
        long wanting = 0;
        long holding = 0;
        long gapStart = -1;
        long longest = 0;
        for (long[] change : changes) {
            boolean wasGap = wanting > 0 && holding == 0;
            wanting += change[1];
            holding += change[2];
            boolean isGap = wanting > 0 && holding == 0;
            if (!wasGap && isGap) {
                gapStart = change[0];
            } else if (wasGap && !isGap) {
                long from = Math.max(gapStart, start);
                longest = Math.max(longest, change[0] - from);
            }
        }
        return longest;
    }

    private static void example(List<String> examples, String text) {
        if (examples.size() < EXAMPLES * 4) {
            examples.add(text);
        }
    }
}
