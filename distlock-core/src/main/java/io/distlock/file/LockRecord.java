package io.distlock.file;

import io.distlock.LockInfo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.zip.CRC32;

/**
 * The content of one lock file: who holds the name and until when.
 *
 * <p>Plain UTF-8 text, one {@code key=value} line per field in a fixed order, so an operator can
 * {@code cat} it; a final CRC-32 line catches truncated or foreign content. String values escape
 * {@code %}, control characters and unpaired surrogates as {@code %XX} / {@code %uXXXX}, so any
 * name (newlines included) round-trips exactly.
 *
 * @param process the holder process's identity for stale-holder detection ({@link HolderProcess}),
 *                empty when unknown
 */
record LockRecord(String name, String ownerId, String host, long pid, String thread, Instant acquiredAt,
                  Instant expiresAt, long token, String process) {

    static final String MAGIC = "distlock-lock 1";
    /** Bigger than any record this code writes (names are at most 1024 bytes, escaped 3x). */
    static final int MAX_BYTES = 16 * 1024;
    private static final String[] KEYS = {"name", "owner", "host", "pid", "thread", "acquired", "expires",
            "token", "process"};
    private static final int MAX_THREAD_NAME = 512;
    private static final int MAX_HOST_NAME = 512;

    static LockRecord of(String name, String ownerId, String host, long pid, String thread, Instant acquiredAt,
                         Instant expiresAt, long token, String process) {
        return new LockRecord(name, ownerId, truncate(host, MAX_HOST_NAME), pid, truncate(thread, MAX_THREAD_NAME),
                acquiredAt, expiresAt, token, process);
    }

    LockRecord withExpiry(Instant newExpiry) {
        return new LockRecord(name, ownerId, host, pid, thread, acquiredAt, newExpiry, token, process);
    }

    boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    LockInfo info() {
        return new LockInfo(name, ownerId, host, pid, thread, acquiredAt, expiresAt, token);
    }

    byte[] encode() {
        StringBuilder text = new StringBuilder(256 + name.length());
        text.append(MAGIC).append('\n');
        String[] values = {escape(name), escape(ownerId), escape(host), Long.toString(pid), escape(thread),
                acquiredAt.toString(), expiresAt.toString(), Long.toString(token), escape(process)};
        for (int i = 0; i < KEYS.length; i++) {
            text.append(KEYS[i]).append('=').append(values[i]).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(body);
        byte[] trailer = ("crc32=" + String.format("%08x", crc.getValue()) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(body, body.length + trailer.length);
        System.arraycopy(trailer, 0, all, body.length, trailer.length);
        return all;
    }

    /**
     * Parses what {@link #encode()} wrote.
     *
     * @throws CorruptRecordException describing the first thing that is wrong
     */
    static LockRecord parse(byte[] bytes) throws CorruptRecordException {
        if (bytes.length == 0) {
            throw new CorruptRecordException("it is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw new CorruptRecordException("it is " + bytes.length + " bytes long, more than any lock record");
        }
        int crcLine = lastLineStart(bytes);
        String trailer = new String(bytes, crcLine, bytes.length - crcLine, StandardCharsets.US_ASCII);
        if (!trailer.startsWith("crc32=") || !trailer.endsWith("\n") || trailer.length() != 6 + 8 + 1) {
            throw new CorruptRecordException("it does not end with a crc32 line (truncated or not written by distlock)");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, crcLine);
        long expected;
        try {
            expected = Long.parseLong(trailer, 6, 14, 16);
        } catch (NumberFormatException e) {
            throw new CorruptRecordException("its crc32 line is malformed");
        }
        if (crc.getValue() != expected) {
            throw new CorruptRecordException("its checksum does not match its content");
        }
        String[] lines = new String(bytes, 0, crcLine, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length != KEYS.length + 2 || !lines[0].equals(MAGIC) || !lines[lines.length - 1].isEmpty()) {
            throw new CorruptRecordException("it does not start with '" + MAGIC + "' followed by " + KEYS.length + " fields");
        }
        String[] values = new String[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            String line = lines[i + 1];
            if (!line.startsWith(KEYS[i] + "=")) {
                throw new CorruptRecordException("line " + (i + 2) + " should hold '" + KEYS[i] + "'");
            }
            values[i] = line.substring(KEYS[i].length() + 1);
        }
        try {
            return new LockRecord(unescape(values[0]), unescape(values[1]), unescape(values[2]),
                    Long.parseLong(values[3]), unescape(values[4]), Instant.parse(values[5]), Instant.parse(values[6]),
                    Long.parseLong(values[7]), unescape(values[8]));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new CorruptRecordException("a field is malformed: " + e.getMessage());
        }
    }

    private static int lastLineStart(byte[] bytes) {
        int i = bytes.length - 2;
        while (i >= 0 && bytes[i] != '\n') {
            i--;
        }
        return i + 1;
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

    static String unescape(String s) throws CorruptRecordException {
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
            throw new CorruptRecordException("a value has a malformed %-escape: " + s);
        }
        return out.toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** The bytes in a lock file are not a record this code wrote. */
    static final class CorruptRecordException extends Exception {
        CorruptRecordException(String message) {
            super(message, null, false, false);
        }
    }
}
