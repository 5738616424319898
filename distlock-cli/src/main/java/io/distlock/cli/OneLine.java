package io.distlock.cli;

import io.distlock.spi.Printable;
import io.distlock.spi.Secrets;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * Every message distlock prints about a failure is one line, whatever the exception said, with any
 * URI or secret parameter in it masked ({@link Secrets#maskText}), and shows nothing a terminal
 * would act on: a message may quote a backend's answer or a holder record.
 */
final class OneLine {
    private OneLine() {
    }

    static String of(@Nullable String message) {
        if (message == null) {
            return "(no details)";
        }
        return Printable.of(Secrets.maskText(message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " "), List.of()));
    }
}
