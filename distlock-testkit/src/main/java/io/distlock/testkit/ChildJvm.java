package io.distlock.testkit;

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
 * A JVM started with this JVM's class path, for tests that need real processes. Every read of its
 * output has a deadline, so a stuck child fails the test instead of hanging it; {@link #close()}
 * destroys it if still running: the kit never leaves children behind.
 */
public final class ChildJvm implements AutoCloseable {
    private static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(60);
    private static final String END_OF_OUTPUT = "\u0000EOF";
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
        // A reader thread turns stdout into a queue, so reads can wait with a deadline.
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone; the end marker below says so
            }
            lines.add(END_OF_OUTPUT);
        }, "child-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass args} with this JVM's java and class path; stderr goes to {@code log}. */
    public static ChildJvm start(Class<?> mainClass, Path log, String... args) throws IOException {
        return start(mainClass, log, List.of(), args);
    }

    /**
     * As {@link #start(Class, Path, String...)}, with {@code shellSetup} steps (such as
     * {@code ulimit -f 0}) run by /bin/sh before it execs the JVM.
     */
    public static ChildJvm start(Class<?> mainClass, Path log, List<String> shellSetup, String... args)
            throws IOException {
        List<String> java = javaCommand(List.of(), System.getProperty("java.class.path"), List.of(), mainClass, args);
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
        return new ChildJvm(new ProcessBuilder(command).redirectError(log.toFile()).start(), log);
    }

    /**
     * As {@link #start(Class, Path, String...)}, but started through {@code launcher} (a command
     * that execs its arguments, e.g. {@code setpriv --reuid=65534 --regid=65534 --clear-groups} to
     * run the JVM as another user), with {@code classPath} (one that user can read) and
     * {@code jvmOptions} (such as {@code -Djava.io.tmpdir=...}).
     */
    public static ChildJvm startThrough(List<String> launcher, String classPath, List<String> jvmOptions,
                                        Class<?> mainClass, Path log, String... args) throws IOException {
        List<String> command = javaCommand(launcher, classPath, jvmOptions, mainClass, args);
        return new ChildJvm(new ProcessBuilder(command).redirectError(log.toFile()).start(), log);
    }

    private static List<String> javaCommand(List<String> launcher, String classPath, List<String> jvmOptions,
                                            Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, mainClass.getName()));
        command.addAll(List.of(args));
        return command;
    }

    public long pid() {
        return process.pid();
    }

    /** The next line of stdout; fails after {@code limit}, or at the child's end, with its stderr. */
    public String readLine(Duration limit) throws InterruptedException {
        String line = lines.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("child " + pid() + " printed nothing for " + limit + "; stderr:\n" + stderr());
        }
        if (line.equals(END_OF_OUTPUT)) {
            lines.add(END_OF_OUTPUT);
            throw new AssertionError("child " + pid() + " ended (exit " + exitCode() + ") before the line the "
                    + "test waited for; stderr:\n" + stderr());
        }
        return line;
    }

    /** Reads lines until one starts with {@code prefix}; returns the rest of it, trimmed. */
    public String await(String prefix, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String line = readLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    /** Reads lines until one equals {@code expected}, within a minute. */
    public void awaitLine(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + DEFAULT_PATIENCE.toNanos();
        while (!readLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).equals(expected)) {
            // not yet
        }
    }

    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The exit code; a child still running after {@code limit} is destroyed and the test fails. */
    public int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child " + pid() + " still ran after " + limit + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** SIGKILL: the child gets no chance to release anything; returns once the kernel reaped it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + pid() + " survived SIGKILL for 30 s");
        }
    }

    public String stderr() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private String exitCode() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
