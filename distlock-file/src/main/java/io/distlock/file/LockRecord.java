package io.distlock.file;

import io.distlock.LockInfo;
import io.distlock.spi.HolderRecord;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One held lock as its stripe file stores it: eleven lines of UTF-8 text, {@code lock} and then
 * {@code key=value} per field in a fixed order, so an operator can read a stripe file with
 * {@code cat}. String values escape {@code %}, control characters and unpaired surrogates as
 * {@code %XX} / {@code %uXXXX}, so any name (newlines, NUL and all) round-trips exactly. The holder's
 * fields are the SPI's {@link HolderRecord}; this record adds the file backend's own and its format.
 *
 * @param process the holder process's identity for stale-holder detection ({@link HolderProcess}),
 *                empty when unknown
 * @param waited  someone found this lock busy, so its release must signal waiters; a lock nobody
 *                waited for is released without waking any process
 */
record LockRecord(String name, String ownerId, String host, long pid, String thread, Instant acquiredAt,
                  Instant expiresAt, long token, String process, boolean waited) {

    static final String[] KEYS = {"name", "owner", "host", "pid", "thread", "acquired", "expires", "token",
            "process", "waited"};
    static final int LINES = 1 + KEYS.length;
    private static final int MAX_THREAD_NAME = 256;
    private static final int MAX_HOST_NAME = 256;

    static LockRecord of(String name, HolderRecord holder, long token, String process) {
        return new LockRecord(name, holder.ownerId(), truncate(holder.host(), MAX_HOST_NAME), holder.pid(),
                truncate(holder.thread(), MAX_THREAD_NAME), holder.acquiredAt(), holder.expiresAt(), token, process,
                false);
    }

    HolderRecord holder() {
        return new HolderRecord(ownerId, host, pid, thread, acquiredAt, expiresAt);
    }

    LockRecord withExpiry(Instant newExpiry) {
        return new LockRecord(name, ownerId, host, pid, thread, acquiredAt, newExpiry, token, process, waited);
    }

    LockRecord waitedFor() {
        return new LockRecord(name, ownerId, host, pid, thread, acquiredAt, expiresAt, token, process, true);
    }

    boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    LockInfo info() {
        return holder().info(name, token);
    }

    void appendTo(StringBuilder text) {
        text.append("lock\n");
        String[] values = {escape(name), escape(ownerId), escape(host), Long.toString(pid), escape(thread),
                acquiredAt.toString(), expiresAt.toString(), Long.toString(token), escape(process),
                waited ? "true" : "false"};
        for (int i = 0; i < KEYS.length; i++) {
            text.append(KEYS[i]).append('=').append(values[i]).append('\n');
        }
    }

    /** Parses the {@link #LINES} lines starting at {@code lines[first]}. */
    static LockRecord parse(String[] lines, int first) throws CorruptStripeException {
        if (first + LINES > lines.length || !lines[first].equals("lock")) {
            throw new CorruptStripeException("record at line " + (first + 1) + " does not start with 'lock'");
        }
        String[] values = new String[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            String line = lines[first + 1 + i];
            if (!line.startsWith(KEYS[i]) || line.length() <= KEYS[i].length() || line.charAt(KEYS[i].length()) != '=') {
                throw new CorruptStripeException("line " + (first + 2 + i) + " should hold '" + KEYS[i] + "'");
            }
            values[i] = line.substring(KEYS[i].length() + 1);
        }
        if (!values[9].equals("true") && !values[9].equals("false")) {
            throw new CorruptStripeException("line " + (first + 11) + " should be waited=true or waited=false");
        }
        try {
            return new LockRecord(unescape(values[0]), unescape(values[1]), unescape(values[2]),
                    Long.parseLong(values[3]), unescape(values[4]), Instant.parse(values[5]), Instant.parse(values[6]),
                    Long.parseLong(values[7]), unescape(values[8]), values[9].equals("true"));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new CorruptStripeException("a field of the record at line " + (first + 1) + " is malformed: "
                    + e.getMessage());
        }
    }

    static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = null;
            if (c == '%' || c < 0x20 || c == 0x7f) {
                replacement = String.format("%%%02X", (int) c);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            } else if (Character.isSurrogate(c)) {
                replacement = String.format("%%u%04X", (int) c);
            }
            if (replacement != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    static String unescape(String s) throws CorruptStripeException {
        int percent = s.indexOf('%');
        if (percent < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length()).append(s, 0, percent);
        try {
            for (int i = percent; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '%') {
                    out.append(c);
                } else if (i + 1 < s.length() && s.charAt(i + 1) == 'u') {
                    out.append((char) Integer.parseInt(s, i + 2, i + 6, 16));
                    i += 5;
                } else {
                    out.append((char) Integer.parseInt(s, i + 1, i + 3, 16));
                    i += 2;
                }
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new CorruptStripeException("a value has a malformed %-escape: " + s);
        }
        return out.toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
