package io.distlock.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a live status line makes sense: standard error must be a terminal and the JVM must see an
 * interactive console. Java cannot ask whether one particular stream is a terminal, so the launcher
 * passes its shell's answer for {@code [ -t 2 ]} as {@code -Ddistlock.stderr.tty}; run directly with
 * {@code java -jar}, Linux's {@code /proc/self/fd/2} answers instead.
 */
final class Terminal {
    static final String STDERR_TTY_PROPERTY = "distlock.stderr.tty";

    private Terminal() {
    }

    static boolean stderrIsInteractive() {
        return stderrIsTty() && consoleIsTerminal();
    }

    private static boolean stderrIsTty() {
        String fromLauncher = System.getProperty(STDERR_TTY_PROPERTY);
        if (fromLauncher != null) {
            return Boolean.parseBoolean(fromLauncher);
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception notLinux) {
            return false;
        }
    }

    /**
     * {@code System.console() != null}; from Java 22 on, a console exists even when redirected, and
     * its {@code isTerminal()} (looked up reflectively, as the jar targets Java 17) tells the truth.
     */
    private static boolean consoleIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException java17) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
