package io.distlock.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What a test's logger wrote while an action ran. The modules' tests log through slf4j-simple,
 * which looks up {@code System.err} at each line, so swapping the stream is enough to read a
 * warning; the text is written on to the real stream too, so the test's report still shows it.
 */
public final class Stderr {
    private Stderr() {
    }

    /** Runs {@code action} and returns what was written to {@code System.err} meanwhile. */
    public static String of(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }
}
