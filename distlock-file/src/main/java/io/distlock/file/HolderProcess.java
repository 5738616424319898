package io.distlock.file;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Who wrote a lock record, precisely enough to prove later that the process is gone.
 *
 * <p>On Linux the identity is {@code linux/<boot id>/<pid namespace>/<pid>/<start ticks>}: the
 * kernel's boot id and pid-namespace inode say whether a pid recorded by another process means the
 * same thing here, and the start time in clock ticks since boot (field 22 of
 * {@code /proc/<pid>/stat}) tells a recycled pid from the original. Ticks since boot are exact and
 * do not move when the wall clock is stepped, unlike {@code ProcessHandle.Info.startInstant()},
 * which Linux derives from the current boot time.
 *
 * <p>Elsewhere the identity is {@code jvm/<host>/<pid>/<start epoch millis>} from
 * {@link ProcessHandle}; start times are compared with a one-second tolerance because that
 * instant can shift slightly with clock adjustments.
 *
 * <p>A holder can be more than one process: the identity then goes on with a {@code /<pid>/<start>}
 * pair per further process ({@link #withGuard}), e.g.
 * {@code linux/<boot id>/<pid namespace>/<pid>/<start ticks>/<guard pid>/<guard start ticks>}, and
 * the holder is {@link Verdict#GONE} only once every process it names is. A process that acts on
 * the lock's behalf after the JVM is gone (the command line's watchdog, which kills the command
 * the lock guards) so keeps the lock until it has finished. Releases before this form (which
 * accepted exactly one pair) judge it {@link Verdict#UNKNOWN}: such a lock ends with its lease.
 *
 * <p>A holder is only judged {@link Verdict#GONE} when this process can see its process table
 * (same boot and pid namespace, or same host name): containers with their own pid namespace that
 * share a directory never judge each other's holders; their locks end with the lease.
 */
final class HolderProcess {
    enum Verdict { ALIVE, GONE, UNKNOWN }

    private static final Path PROC = Path.of("/proc");
    private static final long START_TOLERANCE_MILLIS = 1000;
    /** The most processes one identity may name; a record naming more is judged {@link Verdict#UNKNOWN}. */
    static final int MAX_PROCESSES = 16;

    /** This process's identity; empty if it cannot be determined. */
    static final String SELF = selfIdentity();

    private HolderProcess() {
    }

    /**
     * {@code identity} with {@code guard} as one more of the holder's processes, so that the holder
     * is gone only once the guard is gone too. Empty (no stale-holder detection: the lock ends
     * with its lease) if {@code identity} is, or if the guard's start time cannot be read; the
     * same identity if the guard has already ended, as it guards nothing then.
     *
     * @throws IllegalArgumentException if the identity would name more than {@link #MAX_PROCESSES} processes
     */
    static String withGuard(String identity, ProcessHandle guard) {
        if (identity.isEmpty() || !guard.isAlive()) {
            return identity;
        }
        int processes = (identity.split("/", -1).length - (identity.startsWith("linux/") ? 3 : 2)) / 2;
        if (processes >= MAX_PROCESSES) {
            throw new IllegalArgumentException("a lock's holder can name at most " + MAX_PROCESSES
                    + " processes; cannot add process " + guard.pid() + " to " + identity);
        }
        String start;
        if (identity.startsWith("linux/")) {
            try {
                String[] stat = procStat(PROC.resolve(Long.toString(guard.pid())).resolve("stat"));
                start = stat == null ? null : Long.toString(Long.parseLong(stat[19]));
            } catch (IOException | RuntimeException unreadable) {
                start = null;
            }
        } else {
            start = guard.info().startInstant().map(instant -> Long.toString(instant.toEpochMilli())).orElse(null);
        }
        return start == null ? "" : identity + "/" + guard.pid() + "/" + start;
    }

    static Verdict judge(String identity) {
        if (identity.isEmpty()) {
            return Verdict.UNKNOWN;
        }
        if (identity.equals(SELF) || identity.startsWith(SELF + "/")) {
            return Verdict.ALIVE;
        }
        String[] parts = identity.split("/", -1);
        String[] self = SELF.split("/", -1);
        int head;
        if (parts[0].equals("linux") && self[0].equals("linux")) {
            if (parts.length < 5 || !parts[1].equals(self[1]) || !parts[2].equals(self[2])) {
                return Verdict.UNKNOWN;
            }
            head = 3;
        } else if (parts[0].equals("jvm") && self[0].equals("jvm")) {
            if (parts.length < 4 || !parts[1].equals(self[1])) {
                return Verdict.UNKNOWN;
            }
            head = 2;
        } else {
            return Verdict.UNKNOWN;
        }
        if ((parts.length - head) % 2 != 0 || (parts.length - head) / 2 > MAX_PROCESSES) {
            return Verdict.UNKNOWN;
        }
        Verdict holder = Verdict.GONE;
        try {
            for (int i = head; i < parts.length; i += 2) {
                long pid = Long.parseLong(parts[i]);
                long start = Long.parseLong(parts[i + 1]);
                Verdict process = head == 3 ? judgeLinux(pid, start) : judgeByProcessHandle(pid, start);
                if (process == Verdict.ALIVE) {
                    return Verdict.ALIVE;
                }
                if (process == Verdict.UNKNOWN) {
                    holder = Verdict.UNKNOWN;
                }
            }
        } catch (NumberFormatException e) {
            return Verdict.UNKNOWN;
        }
        return holder;
    }

    private static Verdict judgeLinux(long pid, long startTicks) {
        String[] stat;
        try {
            stat = procStat(PROC.resolve(Long.toString(pid)).resolve("stat"));
        } catch (NoSuchFileException gone) {
            return Verdict.GONE;
        } catch (IOException | RuntimeException unreadable) {
            return Verdict.UNKNOWN;
        }
        if (stat == null) {
            return Verdict.UNKNOWN;
        }
        String state = stat[0];
        if (state.equals("Z") || state.equals("X") || state.equals("x")) {
            return Verdict.GONE;
        }
        return Long.parseLong(stat[19]) == startTicks ? Verdict.ALIVE : Verdict.GONE;
    }

    private static @Nullable Verdict judgeByProcessHandle(long pid, long startMillis) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return Verdict.GONE;
        }
        Optional<Instant> started = process.get().info().startInstant();
        if (started.isPresent() && Math.abs(started.get().toEpochMilli() - startMillis) > START_TOLERANCE_MILLIS) {
            return Verdict.GONE;
        }
        return Verdict.ALIVE;
    }

    /** The fields of a {@code /proc/<pid>/stat} after the command name: [0] is the state, [19] the start ticks. */
    private static String @Nullable [] procStat(Path path) throws IOException {
        String text = new String(Files.readAllBytes(path), StandardCharsets.US_ASCII);
        int commandEnd = text.lastIndexOf(')');
        if (commandEnd < 0) {
            return null;
        }
        String[] fields = text.substring(commandEnd + 1).trim().split(" +");
        return fields.length > 19 ? fields : null;
    }

    private static String selfIdentity() {
        long pid = ProcessHandle.current().pid();
        try {
            String bootId = Files.readString(PROC.resolve("sys/kernel/random/boot_id")).trim();
            String pidNamespace = Files.readSymbolicLink(PROC.resolve("self/ns/pid")).toString();
            String statText = Files.readString(PROC.resolve("self/stat"), StandardCharsets.US_ASCII);
            String[] stat = procStat(PROC.resolve("self/stat"));
            // /proc must be this process's own pid namespace's, or pids read from it mean nothing.
            if (stat != null && statText.startsWith(pid + " ") && !bootId.isEmpty() && !bootId.contains("/")
                    && !pidNamespace.contains("/")) {
                return "linux/" + bootId + "/" + pidNamespace + "/" + pid + "/" + Long.parseLong(stat[19]);
            }
        } catch (IOException | RuntimeException notLinux) {
            // fall through to the portable identity
        }
        Optional<Instant> started = ProcessHandle.current().info().startInstant();
        if (started.isEmpty()) {
            return "";
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replace('/', '_');
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return "jvm/" + host + "/" + pid + "/" + started.get().toEpochMilli();
    }
}
