package io.distlock.benchmarks.harness;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time as counters for {@link Slice}: on a loaded machine throughput swings with what else
 * runs, while the CPU an implementation spends per critical section (in this JVM, and in a
 * server's processes) moves much less, so it says where the time goes.
 */
public final class CpuTime {
    private static final long TICKS_PER_SECOND = ticksPerSecond();

    private CpuTime() {
    }

    /** This JVM's CPU time so far, all threads (the JIT's and the collector's too), in µs. */
    public static long thisProcessMicros() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1000;
    }

    /**
     * CPU time so far of process {@code pid} and its children (a server's workers), in µs, from
     * /proc at the clock tick's resolution: the children that ended are in the parent's
     * {@code cutime}/{@code cstime}; 0 where there is no /proc.
     */
    public static long processTreeMicros(long pid) {
        long ticks = ticks(Path.of("/proc", Long.toString(pid), "stat"));
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            ticks += processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .mapToLong(p -> parent(p.resolve("stat")) == pid ? ticks(p.resolve("stat")) : 0)
                    .sum();
        } catch (IOException e) {
            return 0;
        }
        return ticks * 1_000_000 / TICKS_PER_SECOND;
    }

    /** The fields after the command name: state, ppid, ... (utime is the 12th, stime the 13th). */
    private static String @Nullable [] fields(Path stat) {
        try {
            String text = Files.readString(stat);
            return text.substring(text.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    private static long parent(Path stat) {
        String[] fields = fields(stat);
        return fields == null ? -1 : Long.parseLong(fields[1]);
    }

    /** utime + stime, and cutime + cstime: the ended children's. */
    private static long ticks(Path stat) {
        String[] fields = fields(stat);
        if (fields == null) {
            return 0;
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                + Long.parseLong(fields[14]);
    }

    private static long ticksPerSecond() {
        String ticks = Reports.commandOutput("100", "getconf", "CLK_TCK");
        try {
            return Long.parseLong(ticks);
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
