package io.distlock.cli;

import io.distlock.spi.Printable;

/**
 * Every message distlock prints about a failure is one line, whatever the exception said, and shows
 * nothing a terminal would act on: a message may quote a backend's answer or a holder record.
 */
final class OneLine {
    private OneLine() {
    }

    static String of(String message) {
        if (message == null) {
            return "(no details)";
        }
        return Printable.of(message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " "));
    }
}
