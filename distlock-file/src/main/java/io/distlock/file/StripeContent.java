package io.distlock.file;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * What one slot of a stripe file holds: a sequence number (which of the two slots is newer), the
 * last token issued for the stripe's names, and the records of its held locks.
 *
 * <pre>
 * distlock-stripe 1 seq=41 token=1732290000123456 bytes=312 crc32=5d0c3a1f
 * lock
 * name=orders%0Anightly
 * owner=...
 * ...
 * </pre>
 *
 * The CRC-32 covers the header's fields and the body, so a torn or foreign slot is never mistaken
 * for a valid one.
 */
record StripeContent(long seq, long token, List<LockRecord> records) {
    static final StripeContent EMPTY = new StripeContent(0, 0, List.of());
    private static final String MAGIC = "distlock-stripe 1 ";
    /** The longest header line: the magic, three longs and their labels, the crc. */
    static final int MAX_HEADER = MAGIC.length() + 3 * 20 + " seq= token= bytes= crc32=12345678\n".length();

    LockRecord find(String name) {
        for (LockRecord record : records) {
            if (record.name().equals(name)) {
                return record;
            }
        }
        return null;
    }

    /** The records of every other name, without those whose lease has lapsed (cheap to judge: no stale check). */
    List<LockRecord> liveOthers(String name, Instant now) {
        List<LockRecord> kept = new ArrayList<>(records.size() + 1);
        for (LockRecord record : records) {
            if (!record.name().equals(name) && !record.expiredAt(now)) {
                kept.add(record);
            }
        }
        return kept;
    }

    /**
     * The token for the stripe's next acquisition. The wall clock in microseconds is a floor under
     * the counter, so tokens keep growing even if the host crashed before the counter's last write
     * reached the disk.
     */
    long nextToken(Instant now) {
        return Math.max(token + 1, now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
    }

    byte[] encode() {
        StringBuilder text = new StringBuilder(64 + records.size() * 320);
        for (LockRecord record : records) {
            record.appendTo(text);
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        String fields = MAGIC + "seq=" + seq + " token=" + token + " bytes=" + body.length;
        CRC32 crc = new CRC32();
        crc.update((fields + "\n").getBytes(StandardCharsets.US_ASCII));
        crc.update(body);
        byte[] header = (fields + " crc32=" + String.format("%08x", crc.getValue()) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + body.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        return all;
    }

    /** The length of the whole slot (header and body) its header announces, or -1 if there is no header yet. */
    static int announcedLength(byte[] slot, int available) throws CorruptStripeException {
        int end = headerEnd(slot, available);
        if (end < 0) {
            return -1;
        }
        return end + 1 + (int) parseHeader(slot, end)[2];
    }

    static StripeContent parse(byte[] slot, int length) throws CorruptStripeException {
        int end = headerEnd(slot, length);
        if (end < 0) {
            throw new CorruptStripeException("its header line is missing or cut off");
        }
        long[] header = parseHeader(slot, end);
        int bodyLength = (int) header[2];
        if (end + 1 + bodyLength > length) {
            throw new CorruptStripeException("it announces " + bodyLength + " bytes of records but holds only "
                    + (length - end - 1));
        }
        CRC32 crc = new CRC32();
        String fields = new String(slot, 0, end, StandardCharsets.US_ASCII);
        String withoutCrc = fields.substring(0, fields.lastIndexOf(" crc32="));
        crc.update((withoutCrc + "\n").getBytes(StandardCharsets.US_ASCII));
        crc.update(slot, end + 1, bodyLength);
        if (crc.getValue() != header[3]) {
            throw new CorruptStripeException("its checksum does not match its content");
        }
        String[] lines = new String(slot, end + 1, bodyLength, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length % LockRecord.LINES != 1 || !lines[lines.length - 1].isEmpty()) {
            throw new CorruptStripeException("its records do not have " + LockRecord.LINES + " lines each");
        }
        List<LockRecord> records = new ArrayList<>(lines.length / LockRecord.LINES);
        for (int i = 0; i + 1 < lines.length; i += LockRecord.LINES) {
            records.add(LockRecord.parse(lines, i));
        }
        return new StripeContent(header[0], header[1], records);
    }

    private static int headerEnd(byte[] slot, int length) {
        for (int i = 0; i < Math.min(length, MAX_HEADER); i++) {
            if (slot[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** seq, token, bytes, crc32 */
    private static long[] parseHeader(byte[] slot, int end) throws CorruptStripeException {
        String line = new String(slot, 0, end, StandardCharsets.US_ASCII);
        if (!line.startsWith(MAGIC)) {
            throw new CorruptStripeException("it does not start with '" + MAGIC.strip() + "'");
        }
        String[] parts = line.substring(MAGIC.length()).split(" ");
        String[] labels = {"seq=", "token=", "bytes=", "crc32="};
        if (parts.length != labels.length) {
            throw new CorruptStripeException("its header has " + parts.length + " fields instead of 4");
        }
        long[] values = new long[labels.length];
        try {
            for (int i = 0; i < labels.length; i++) {
                if (!parts[i].startsWith(labels[i])) {
                    throw new CorruptStripeException("its header lacks '" + labels[i] + "'");
                }
                values[i] = Long.parseLong(parts[i], labels[i].length(), parts[i].length(), i == 3 ? 16 : 10);
            }
        } catch (NumberFormatException e) {
            throw new CorruptStripeException("its header is malformed: " + line);
        }
        if (values[2] < 0 || values[2] > Layout.SLOT_SIZE) {
            throw new CorruptStripeException("its header announces " + values[2] + " bytes");
        }
        return values;
    }
}
