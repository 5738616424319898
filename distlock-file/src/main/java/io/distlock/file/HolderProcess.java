package io.distlock.file;

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
 * <p>A holder is only judged {@link Verdict#GONE} when this process can see its process table
 * (same boot and pid namespace, or same host name): containers with their own pid namespace that
 * share a directory never judge each other's holders; their locks end with the lease.
 */
final class HolderProcess {
    enum Verdict { ALIVE, GONE, UNKNOWN }

    private static final Path PROC = Path.of("/proc");
    private static final long START_TOLERANCE_MILLIS = 1000;

    /** This process's identity; empty if it cannot be determined. */
    static final String SELF = selfIdentity();

    private HolderProcess() {
    }

    static Verdict judge(String identity) {
        if (identity.isEmpty()) {
            return Verdict.UNKNOWN;
        }
        if (identity.equals(SELF)) {
            return Verdict.ALIVE;
        }
        String[] parts = identity.split("/", -1);
        String[] self = SELF.split("/", -1);
        try {
            if (parts.length == 5 && parts[0].equals("linux") && self[0].equals("linux")) {
                if (!parts[1].equals(self[1]) || !parts[2].equals(self[2])) {
                    return Verdict.UNKNOWN;
                }
                return judgeLinux(Long.parseLong(parts[3]), Long.parseLong(parts[4]));
            }
            if (parts.length == 4 && parts[0].equals("jvm") && self[0].equals("jvm")) {
                if (!parts[1].equals(self[1])) {
                    return Verdict.UNKNOWN;
                }
                return judgeByProcessHandle(Long.parseLong(parts[2]), Long.parseLong(parts[3]));
            }
        } catch (NumberFormatException e) {
            return Verdict.UNKNOWN;
        }
        return Verdict.UNKNOWN;
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

    private static Verdict judgeByProcessHandle(long pid, long startMillis) {
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
    private static String[] procStat(Path path) throws IOException {
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
