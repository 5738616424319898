package io.distlock.cli;

import io.distlock.LockInfo;
import io.distlock.spi.Printable;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;

/**
 * Writes the few JSON shapes the command line prints; small enough not to need a library. Every
 * character a terminal acts on ({@link Printable#isUnsafe}) is written as a JSON escape, so the
 * output is as safe to print as the text output, and a JSON reader still gets the exact strings.
 */
final class Json {
    private Json() {
    }

    static String locks(List<LockInfo> locks) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < locks.size(); i++) {
            out.append(i == 0 ? "\n  " : ",\n  ");
            lockFields(out.append('{'), locks.get(i));
            out.append('}');
        }
        return out.append(locks.isEmpty() ? "]" : "\n]").toString();
    }

    /** {@code {"name":..,"held":true,...}} or {@code {"name":..,"held":false}}. */
    static String status(String name, @Nullable LockInfo holder) {
        StringBuilder out = new StringBuilder("{");
        if (holder == null) {
            field(out, "name", name).append(',');
            return out.append("\"held\":false}").toString();
        }
        lockFields(out, holder);
        return out.append(",\"held\":true}").toString();
    }

    private static void lockFields(StringBuilder out, LockInfo info) {
        field(out, "name", info.name()).append(',');
        field(out, "ownerId", info.ownerId()).append(',');
        field(out, "host", info.host()).append(',');
        out.append("\"pid\":").append(info.pid()).append(',');
        field(out, "thread", info.thread()).append(',');
        field(out, "acquiredAt", instant(info.acquiredAt())).append(',');
        field(out, "expiresAt", instant(info.expiresAt())).append(',');
        out.append("\"token\":").append(info.token());
    }

    private static @Nullable String instant(@Nullable Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static StringBuilder field(StringBuilder out, String key, @Nullable String value) {
        string(out, key).append(':');
        return value == null ? out.append("null") : string(out, value);
    }

    static StringBuilder string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Printable.isUnsafe(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
