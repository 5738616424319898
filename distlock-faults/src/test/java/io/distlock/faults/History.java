package io.distlock.faults;

import io.distlock.Lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's history file. The first line is
 * {@code # client <id> pid <pid> wallMillis <System.currentTimeMillis()> nanoTime <System.nanoTime()>};
 * each further line is {@code <event> <op> <nanoTime> <held> <detail>}, where {@code held} is
 * what {@code lock.isHeld()} answered right after the time was taken ({@code 1}/{@code 0}, or
 * {@code -} outside the section). Events of one operation, in order: {@code INVOKE} (before the
 * acquire call), then {@code FAIL <exception>} or {@code ACQ <token>} (after it returned), {@code READ
 * ok|refused [ok|refused]} (every resource read; the fenced register's read, then the fenced row's,
 * refused a stale token or not), {@code UW <element>} (unfenced set written), {@code FW <element>
 * ok|refused|skipped} (the register), {@code RW <element> ok|refused|skipped} (the row), {@code EXIT}
 * (before the release call), {@code REL true|false [exception]} (after it: what the release returned, or
 * false and the exception it threw); and, at any time, {@code LOST} when the engine told the lock's
 * {@link io.distlock.LockLostListener} that it was lost (only a client with auto-renewal registers one).
 *
 * <p>Times are {@code System.nanoTime()}, which on Linux is {@code CLOCK_MONOTONIC}: one clock for
 * every process of the host, so times of different JVMs (and the fault injector's) compare directly.
 * The wall-clock pair of the header is there for a reader who wants calendar times.
 */
final class History {
    private History() {
    }

    static final class Writer implements AutoCloseable {
        private final FileChannel channel;

        Writer(Path file, String client) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            write("# client " + client + " pid " + ProcessHandle.current().pid() + " wallMillis "
                    + System.currentTimeMillis() + " nanoTime " + System.nanoTime());
        }

        void event(String kind, long op, String detail) throws IOException {
            write(kind + " " + op + " " + System.nanoTime() + " - " + detail);
        }

        /** The time first, then isHeld(): a true answer means the lease was valid at that time. */
        void held(String kind, long op, Lock lock, String detail) throws IOException {
            long now = System.nanoTime();
            write(kind + " " + op + " " + now + " " + (lock.isHeld() ? "1" : "0") + " " + detail);
        }

        /** Every line is one write call; the lost listener writes from the engine's thread. */
        private synchronized void write(String line) throws IOException {
            ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** One operation of one client: an acquire attempt and, if it succeeded, its section. */
    static final class Op {
        final String client;
        final long op;
        long invoked = -1;
        long failed = -1;
        String failure;
        long acquired = -1;
        long token;
        boolean fencedReadRefused;
        long read = -1;
        String unfencedElement;
        long unfencedWritten = -1;
        boolean unfencedWrittenHeld;
        String fencedElement;
        String fencedOutcome;
        boolean rowReadRefused;
        String rowElement;
        String rowOutcome;
        long exited = -1;
        /** What {@code isHeld()} said at {@code EXIT}. */
        boolean exitHeld;
        long released = -1;
        /** What the release returned; null if it never returned (killed, or still running at the end). */
        Boolean releaseOutcome;
        /** When the lost listener was told of this lock; -1 if never. */
        long lostReported = -1;
        /** The last time this op was certainly inside its section (its last event between ACQ and EXIT). */
        long lastInside = -1;
        /** The last time it was inside with isHeld() true; -1 if never. */
        long lastHeld = -1;

        Op(String client, long op) {
            this.client = client;
            this.op = op;
        }

        boolean acquiredLock() {
            return acquired >= 0;
        }

        @Override
        public String toString() {
            return "client " + client + " op " + op + (acquiredLock() ? " token " + token : "");
        }
    }

    /** Every operation in a history file; a line cut short by a kill is ignored. */
    static List<Op> read(Path file) throws IOException {
        String client = file.getFileName().toString().replaceFirst("^client-", "").replaceFirst("\\.history$", "");
        return parse(client, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static List<Op> parse(String client, List<String> lines) {
        Map<Long, Op> ops = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] parts = line.split(" ", 5);
            if (parts.length < 4) {
                continue;
            }
            long number;
            long time;
            try {
                number = Long.parseLong(parts[1]);
                time = Long.parseLong(parts[2]);
            } catch (NumberFormatException torn) {
                continue;
            }
            boolean held = parts[3].equals("1");
            String detail = parts.length == 5 ? parts[4] : "";
            Op op = ops.computeIfAbsent(number, n -> new Op(client, n));
            switch (parts[0]) {
                case "INVOKE" -> op.invoked = time;
                case "FAIL" -> {
                    op.failed = time;
                    op.failure = detail;
                }
                case "ACQ" -> {
                    op.acquired = time;
                    op.token = Long.parseLong(detail.trim());
                }
                case "READ" -> {
                    op.read = time;
                    String[] words = detail.trim().split(" ");
                    op.fencedReadRefused = words[0].equals("refused");
                    op.rowReadRefused = words.length > 1 && words[1].equals("refused");
                }
                case "UW" -> {
                    op.unfencedElement = detail.trim();
                    op.unfencedWritten = time;
                    op.unfencedWrittenHeld = held;
                }
                case "FW" -> {
                    String[] words = detail.trim().split(" ");
                    if (words.length == 2) {
                        op.fencedElement = words[0];
                        op.fencedOutcome = words[1];
                    }
                }
                case "RW" -> {
                    String[] words = detail.trim().split(" ");
                    if (words.length == 2) {
                        op.rowElement = words[0];
                        op.rowOutcome = words[1];
                    }
                }
                case "EXIT" -> {
                    op.exited = time;
                    op.exitHeld = held;
                }
                case "REL" -> {
                    op.released = time;
                    op.releaseOutcome = detail.trim().startsWith("true");
                }
                case "LOST" -> op.lostReported = time;
                default -> {
                    continue;
                }
            }
            if (!parts[3].equals("-")) {
                op.lastInside = Math.max(op.lastInside, time);
                if (held) {
                    op.lastHeld = Math.max(op.lastHeld, time);
                }
            }
        }
        return new ArrayList<>(ops.values());
    }
}
