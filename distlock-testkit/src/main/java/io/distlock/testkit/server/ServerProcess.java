package io.distlock.testkit.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * A private server process for tests: a binary found on the PATH, started on a free loopback port
 * in its own temporary directory, and stopped by the {@link Process} this object started (never by
 * name, so a machine's shared server on a standard port is never touched).
 *
 * <p>Generic on purpose: a backend's fixture supplies the command line (from the port and the
 * directory) and a readiness check; this package has one per server kind ({@link RedisServers},
 * {@link MemcachedServers}, {@link PostgresServers}, {@link MariaDbServers}, {@link ZooKeeperServers}). A missing binary fails
 * with the command that installs it, never with a silent skip.
 *
 * <pre>{@code
 * ServerProcess redis = ServerProcess.builder("redis-server")
 *         .installHint("apt-get install -y redis-server")
 *         .arguments((port, dir) -> List.of("--port", "" + port, "--dir", dir.toString()))
 *         .readiness(ReadinessCheck.tcp())
 *         .start();
 * }</pre>
 */
public final class ServerProcess implements AutoCloseable {
    private static final Set<ServerProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        // A test that dies without stop() must not leave its server behind: only our own processes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ServerProcess::killQuietly),
                "distlock-server-process-reaper"));
    }

    private final Builder settings;
    private final Path binary;
    private final Path directory;
    private final int port;
    private Process process;
    private Path log;
    private int starts;

    private ServerProcess(Builder settings, Path binary, Path directory, int port) {
        this.settings = settings;
        this.binary = binary;
        this.directory = directory;
        this.port = port;
    }

    /** A server run by {@code binaryName}, found on the PATH (or in /usr/sbin, /usr/lib/postgresql...). */
    public static Builder builder(String binaryName) {
        return new Builder(binaryName);
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code 127.0.0.1:port}: what a client or a backend URI names this server by. */
    public String connectString() {
        return host() + ":" + port;
    }

    /** The server's own directory (removed by {@link #close()}). */
    public Path directory() {
        return directory;
    }

    /** The process id of the running server. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(settings.binaryName + " is not running");
        }
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The server's output so far (stdout and stderr), for assertion messages. */
    public String output() {
        try {
            return log == null || !Files.exists(log) ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read " + log + ": " + e + ")";
        }
    }

    /** Starts the server (again, after {@link #stop()}: same port, same directory). */
    public synchronized ServerProcess start() {
        if (isRunning()) {
            throw new IllegalStateException(settings.binaryName + " is already running as pid " + process.pid());
        }
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(settings.arguments.apply(port, directory));
        log = directory.resolve("server-" + (++starts) + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", command), e);
        }
        RUNNING.add(this);
        awaitReady(command);
        return this;
    }

    private void awaitReady(List<String> command) {
        long deadline = System.nanoTime() + settings.startTimeout.toNanos();
        Exception lastFailure = null;
        while (true) {
            try {
                if (settings.readiness.isReady(host(), port)) {
                    return;
                }
            } catch (IOException | RuntimeException notYet) {
                lastFailure = notYet;
            }
            boolean exited;
            try {
                // Waiting on the process is both the pause between probes and the early-exit check.
                exited = process.waitFor(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killQuietly();
                throw new IllegalStateException("interrupted while starting " + settings.binaryName, e);
            }
            if (exited) {
                RUNNING.remove(this);
                throw new IllegalStateException(settings.binaryName + " exited with status " + process.exitValue()
                        + " right after starting (" + String.join(" ", command) + "); its output:\n" + output());
            }
            if (System.nanoTime() - deadline > 0) {
                killQuietly();
                throw new IllegalStateException(settings.binaryName + " did not accept connections on "
                        + host() + ":" + port + " within " + settings.startTimeout + " (last probe: " + lastFailure
                        + "); its output:\n" + output());
            }
        }
    }

    /** Stops the server gracefully (SIGTERM), forcibly after the stop timeout. The port stays ours. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (process.isAlive()) {
            // A paused server would not handle SIGTERM until thawed.
            try {
                signal("CONT");
            } catch (RuntimeException alreadyGone) {
                // It exited meanwhile.
            }
        }
        awaitExit();
    }

    /** Kills the server at once (SIGKILL), as a crash or power loss would. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    /**
     * Freezes the server (SIGSTOP to its pid): connections stay open but nothing answers, as
     * with a server stuck in a long fork or swap. {@link #thaw()} thaws it.
     */
    public synchronized void freeze() {
        signal("STOP");
    }

    /** Thaws a {@link #freeze() frozen} server (SIGCONT). */
    public synchronized void thaw() {
        signal("CONT");
    }

    private void signal(String signal) {
        long pid = pid();
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + pid, e);
        }
    }

    /**
     * Drops every client connection to this server from the server's side, as a server that drops
     * its connections would ({@link ClientConnections#reset}); the server keeps running.
     *
     * @return how many connections were reset
     */
    public int dropConnections() {
        return ClientConnections.reset(port);
    }

    /** Stops and starts again on the same port and directory. */
    public synchronized ServerProcess restart() {
        stop();
        return start();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(settings.stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(settings.stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(this);
        process = null;
    }

    private synchronized void killQuietly() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp directory is harmless.
        }
    }

    @Override
    public String toString() {
        return settings.binaryName + "@" + host() + ":" + port + (isRunning() ? " (pid " + pid() + ")" : " (stopped)");
    }

    /** A free TCP port on 127.0.0.1 at the moment of asking. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /** Finds a binary on the PATH and the usual system directories; null if absent. */
    static Path findBinary(String name, List<String> extraDirectories) {
        List<String> directories = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(File.pathSeparator)));
        }
        directories.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        directories.addAll(extraDirectories);
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Tells when a started server accepts work. Throwing or returning false means "not yet". */
    @FunctionalInterface
    public interface ReadinessCheck {
        boolean isReady(String host, int port) throws IOException;

        /** Ready once a TCP connection is accepted. */
        static ReadinessCheck tcp() {
            return (host, port) -> {
                try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new InetSocketAddress(host, port), 200);
                    return true;
                }
            };
        }
    }

    public static final class Builder {
        private final String binaryName;
        private String installHint;
        private List<String> searchDirectories = List.of();
        private BiFunction<Integer, Path, List<String>> arguments = (port, dir) -> List.of();
        private ReadinessCheck readiness = ReadinessCheck.tcp();
        private Duration startTimeout = Duration.ofSeconds(20);
        private Duration stopTimeout = Duration.ofSeconds(10);
        private Integer port;

        private Builder(String binaryName) {
            if (binaryName == null || binaryName.isBlank()) {
                throw new IllegalArgumentException("binary name must not be empty");
            }
            this.binaryName = binaryName;
            this.installHint = "install the package that provides " + binaryName;
        }

        /** The command that installs the binary, quoted in the failure when it is missing. */
        public Builder installHint(String command) {
            this.installHint = Objects.requireNonNull(command, "installHint");
            return this;
        }

        /** More directories to look for the binary in (for example /usr/lib/postgresql/15/bin). */
        public Builder searchDirectories(List<String> directories) {
            this.searchDirectories = List.copyOf(directories);
            return this;
        }

        /** The arguments after the binary, made from the port and the server's directory. */
        public Builder arguments(BiFunction<Integer, Path, List<String>> arguments) {
            this.arguments = Objects.requireNonNull(arguments, "arguments");
            return this;
        }

        public Builder readiness(ReadinessCheck readiness) {
            this.readiness = Objects.requireNonNull(readiness, "readiness");
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "startTimeout");
            return this;
        }

        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout, "stopTimeout");
            return this;
        }

        /** A fixed port instead of a free one (a second server that must find the first, say). */
        public Builder port(int port) {
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535 but was " + port);
            }
            this.port = port;
            return this;
        }

        /** The process, not yet started: fails at once if the binary is missing. */
        public ServerProcess build() {
            Path binary = findBinary(binaryName, searchDirectories);
            if (binary == null) {
                throw new IllegalStateException(binaryName + " was not found on the PATH; the tests need it: "
                        + "install it with: " + installHint);
            }
            Path directory;
            try {
                directory = Files.createTempDirectory("distlock-" + binaryName + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a directory for " + binaryName, e);
            }
            return new ServerProcess(this, binary, directory, port != null ? port : freePort());
        }

        /** Builds and starts; returns once the server is ready. */
        public ServerProcess start() {
            return build().start();
        }
    }
}
