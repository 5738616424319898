package io.distlock.spi;

import org.jetbrains.annotations.Contract;
import org.jspecify.annotations.Nullable;

/**
 * Text that came from a backend, made safe to show on a terminal or in a log. Every client of a
 * shared backend can write a holder's host and thread (and a lock's name), so a holder record may
 * carry escape sequences that retitle or wipe a terminal, a carriage return that overwrites a log
 * line, or a bidirectional override that shows text in another order than it is stored. Everything
 * that prints such text prints it through {@link #of(String)}.
 */
public final class Printable {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {
    }

    /**
     * {@code text} with every {@linkplain #isUnsafe(char) unsafe character} and every unpaired
     * surrogate written as a visible escape, {@code \x1b} up to U+00FF and <code>&#92;u202e</code> above, and
     * every backslash doubled, so that the output reads back unambiguously: {@code \x1b} in the output
     * was ESC in the text, {@code \\x1b} was the four characters. Text without any of these comes back
     * as it is; null stays null.
     *
     * @param text text from a backend (a holder's host or thread, a lock's name, an owner id, a
     *             message), or null
     * @return the text with nothing in it that a terminal would act on rather than show
     */
    @Contract("!null -> !null")
    public static @Nullable String of(@Nullable String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            boolean escape = c == '\\' || isUnsafe(c) || (Character.isSurrogate(c) && !pair);
            if (escape && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out == null) {
                if (pair) {
                    i++;
                }
                continue;
            }
            if (c == '\\') {
                out.append("\\\\");
            } else if (!escape) {
                out.append(c);
                if (pair) {
                    out.append(text.charAt(++i));
                }
            } else if (c <= 0xff) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * Whether a terminal or text viewer acts on {@code c} rather than showing it: the C0 controls
     * (U+0000 to U+001F, tab and newline included), DEL (U+007F), the C1 controls (U+0080 to
     * U+009F, among them the one-byte CSI), the line and paragraph separators (U+2028, U+2029), and
     * the bidirectional formatting characters (U+061C, U+200E, U+200F, the embeddings and overrides
     * U+202A to U+202E, the isolates U+2066 to U+2069). A JSON writer escapes these as <code>&#92;u00XX</code>
     * too, which JSON allows for any character.
     *
     * @param c a character
     * @return true if {@link #of(String)} writes it as an escape
     */
    public static boolean isUnsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == 0x2028 || c == 0x2029
                || c == 0x061c || c == 0x200e || c == 0x200f
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }
}
