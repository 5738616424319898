package io.distlock.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the real {@code ./distlock} launcher as a child process, with its output in files (so a
 * chatty child can never block on a full pipe) and its standard input a pipe the test controls.
 */
final class Launcher {
    static final Path SCRIPT = Path.of(System.getProperty("distlock.launcher", "../distlock"))
            .toAbsolutePath().normalize();
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Path workDir;
    private final String backendUri;
    private final Map<String, String> environment;

    Launcher(Path workDir, String backendUri) {
        this(workDir, backendUri, Map.of());
    }

    /** {@code environment} is added to every run's, for example a backend's password variable. */
    Launcher(Path workDir, String backendUri, Map<String, String> environment) {
        this.workDir = workDir;
        this.backendUri = backendUri;
        this.environment = Map.copyOf(environment);
    }

    String backendUri() {
        return backendUri;
    }

    Running start(String... args) throws IOException {
        // SIGINT, SIGTERM and SIGHUP at their defaults, as at a terminal: a build started in the
        // background by a script (no job control, as CI starts it) ignores SIGINT, every process it
        // starts inherits that, and a JVM leaves an ignored SIGINT ignored, so a test that sends
        // SIGINT would wait for nothing. coreutils' env resets them and execs the launcher (same pid).
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM,HUP"));
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        int n = SEQUENCE.incrementAndGet();
        Path out = workDir.resolve("out-" + n + ".txt");
        Path err = workDir.resolve("err-" + n + ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put(BackendOption.VARIABLE, backendUri);
        builder.environment().remove("DISTLOCK_DEBUG");
        builder.environment().putAll(environment);
        return new Running(String.join(" ", args), builder.start(), out, err);
    }

    /** Runs to the end (within {@link #DEADLINE}). */
    Finished run(String... args) throws IOException {
        return start(args).finish();
    }

    /** Polls {@code condition} until it holds, failing with {@code what} at the deadline. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("Gave up after " + DEADLINE.toSeconds() + " s waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Waits until a file has content and returns it, trimmed. */
    static String awaitContent(Path file) {
        String[] content = {""};
        await(file + " to be written", () -> {
            try {
                content[0] = Files.exists(file) ? Files.readString(file).trim() : "";
                return !content[0].isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
        return content[0];
    }

    static final class Running {
        final String args;
        final Process process;
        private final Path out;
        private final Path err;

        Running(String args, Process process, Path out, Path err) {
            this.args = args;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        long pid() {
            return process.pid();
        }

        /** What the launcher has written to stderr so far. */
        String errSoFar() {
            try {
                return Files.readString(err);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Writes a line to the launcher's standard input, which its command inherits. */
        void tell(String line) throws IOException {
            OutputStream stdin = process.getOutputStream();
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        /** Closes the launcher's standard input: the end of input, as when its caller ends. */
        void closeInput() throws IOException {
            process.getOutputStream().close();
        }

        /**
         * Waits for the first complete line on stdout and returns it (without its newline), or
         * fails as soon as the process ends without one.
         */
        String awaitOutLine() {
            String[] line = {null};
            await("a line on stdout of 'distlock " + args + "'", () -> {
                boolean ended = !process.isAlive();
                try {
                    String soFar = Files.readString(out);
                    int newline = soFar.indexOf('\n');
                    if (newline >= 0) {
                        line[0] = soFar.substring(0, newline);
                        return true;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (ended) {
                    fail("'distlock " + args + "' ended (exit " + process.exitValue() + ") without a line on stdout; "
                            + "stderr: " + errSoFar());
                }
                return false;
            });
            return line[0];
        }

        Finished finish() throws IOException {
            return finish(DEADLINE);
        }

        /** As {@link #finish()}, for a run that may wait longer than {@link #DEADLINE}. */
        Finished finish(Duration limit) throws IOException {
            try {
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    fail("'distlock " + args + "' did not end within " + limit.toSeconds() + " s; stderr: "
                            + Files.readString(err));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                fail("interrupted");
            }
            return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
        }

        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    record Finished(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + status + ", stdout [" + out + "], stderr [" + err + "]";
        }
    }
}
