package io.distlock.testkit.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link FileLockChild} with this JVM's class path. Every read has a deadline,
 * so a stuck child fails the test instead of hanging it; {@link #close()} kills it if still alive.
 */
final class Child implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Child(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone; EOF below says so
            }
            lines.add(EOF);
        }, "child-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code FileLockChild args...} in a new JVM. */
    static Child start(Path stderr, String... args) throws IOException {
        return start(stderr, List.of(), args);
    }

    /** With {@code shellSetup} (such as {@code ulimit -f 0}) run by /bin/sh before exec'ing the JVM. */
    static Child start(Path stderr, List<String> shellSetup, String... args) throws IOException {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), FileLockChild.class.getName()));
        java.addAll(List.of(args));
        List<String> command = java;
        if (!shellSetup.isEmpty()) {
            StringBuilder script = new StringBuilder();
            for (String step : shellSetup) {
                script.append(step).append("; ");
            }
            script.append("exec \"$@\"");
            command = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "sh"));
            command.addAll(java);
        }
        return new Child(new ProcessBuilder(command).redirectError(stderr.toFile()).start(), stderr);
    }

    long pid() {
        return process.pid();
    }

    /** The next line of stdout, failing after {@code limit} or at the child's end. */
    String readLine(Duration limit) throws InterruptedException {
        String line = lines.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("child " + pid() + " printed nothing for " + limit + "; stderr:\n" + stderr());
        }
        if (line.equals(EOF)) {
            lines.add(EOF);
            throw new AssertionError("child " + pid() + " ended (exit " + exitCode() + "); stderr:\n" + stderr());
        }
        return line;
    }

    /** Reads lines until one starts with {@code prefix}; returns the rest of it. */
    String await(String prefix, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String line = readLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** SIGKILL, and wait until the kernel has reaped it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + pid() + " survived SIGKILL for 30 s");
        }
    }

    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child " + pid() + " still runs after " + limit + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    private String exitCode() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
