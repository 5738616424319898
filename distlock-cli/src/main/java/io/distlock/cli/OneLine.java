package io.distlock.cli;

/** Every message distlock prints about a failure is one line, whatever the exception said. */
final class OneLine {
    private OneLine() {
    }

    static String of(String message) {
        if (message == null) {
            return "(no details)";
        }
        return message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
