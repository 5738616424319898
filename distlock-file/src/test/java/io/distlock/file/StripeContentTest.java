package io.distlock.file;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StripeContentTest {
    private static final List<String> NAMES = List.of("plain", "new\nline", "nul\u0000byte", "100%", "%41",
            "\uD800 lone", "pair 🔒", "lock\nname=forged", "=", "é".repeat(512), "\r\t\u001b\u007f");

    private static StripeContent sample() {
        List<LockRecord> records = new ArrayList<>();
        long token = 1_000;
        for (String name : NAMES) {
            records.add(new LockRecord(name, "owner-" + token, "host\nx", token, "thread %s\u0000", Instant.ofEpochSecond(1, 7),
                    Instant.parse("2030-01-02T03:04:05.123456789Z"), ++token, HolderProcess.SELF, token % 2 == 0));
        }
        return new StripeContent(42, token, records);
    }

    @Test
    void everyNameAndFieldRoundTrips() throws Exception {
        StripeContent content = sample();
        byte[] bytes = content.encode();
        assertThat(StripeContent.parse(bytes, bytes.length)).isEqualTo(content);
        assertThat(StripeContent.parse(StripeContent.EMPTY.encode(), StripeContent.EMPTY.encode().length))
                .isEqualTo(StripeContent.EMPTY);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).as("one line per field, names escaped")
                .contains("name=new%0Aline").contains("name=lock%0Aname=forged").contains("name=%uD800 lone");
    }

    @Test
    void everyChangedByteIsDetected() {
        byte[] bytes = new StripeContent(7, 99, sample().records().subList(0, 3)).encode();
        for (int i = 0; i < bytes.length; i++) {
            for (int flip : new int[]{0x01, 0x80, 0xff}) {
                byte[] broken = bytes.clone();
                broken[i] ^= (byte) flip;
                int at = i;
                assertThatThrownBy(() -> StripeContent.parse(broken, broken.length))
                        .as("byte %d xor %02x", at, flip).isInstanceOf(CorruptStripeException.class);
            }
        }
    }

    @Test
    void everyTruncationIsDetected() {
        byte[] bytes = new StripeContent(7, 99, sample().records().subList(0, 2)).encode();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            int at = length;
            assertThatThrownBy(() -> StripeContent.parse(cut, cut.length)).as("cut at %d", at)
                    .isInstanceOf(CorruptStripeException.class);
        }
    }

    @Test
    void theRecordFormatIsFixed() throws Exception {
        // Pinned: a lock written by an older version must still be read.
        LockRecord record = new LockRecord("a\nb%", "owner-1", "host", 42, "t\uD800", Instant.ofEpochSecond(1, 7),
                Instant.parse("2030-01-02T03:04:05Z"), 9, "linux/x/1", true);
        StringBuilder text = new StringBuilder();
        record.appendTo(text);
        assertThat(text.toString()).isEqualTo("lock\nname=a%0Ab%25\nowner=owner-1\nhost=host\npid=42\nthread=t%uD800\n"
                + "acquired=1970-01-01T00:00:01.000000007Z\nexpires=2030-01-02T03:04:05Z\ntoken=9\nprocess=linux/x/1\n"
                + "waited=true\n");
        assertThat(LockRecord.parse(text.toString().split("\n", -1), 0)).isEqualTo(record);
    }
}
