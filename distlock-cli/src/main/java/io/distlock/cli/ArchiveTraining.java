package io.distlock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The run that {@code bin/distlock} records its class-data sharing archive from
 * ({@code -XX:ArchiveClassesAtExit}): the archive holds the classes this JVM loaded, so the run must
 * load what a real run on any backend loads. It takes a real lock on the file backend and on an
 * in-memory H2 database (no server needed for either), and opens each server backend (Redis,
 * memcached, ZooKeeper, PostgreSQL, MariaDB) against a loopback port where nothing listens: the
 * client, its threads, its connection machinery and the failure path are loaded and run, which is
 * most of what a run on that backend loads. The rest (what a connected client loads: handshakes,
 * replies, statements) it loads by name from {@value #CLASS_LIST}, kept complete by
 * {@code ClassDataArchiveIT}. Nothing it does reaches another machine or prints.
 */
final class ArchiveTraining {
    /** The launcher's only argument for this run; not a command users see. */
    static final String ARGUMENT = "--record-archive";
    private static final String NAME = "cds-training";
    /** Classes loaded by name: see the file's own header. */
    private static final String CLASS_LIST = "archive-classes.txt";

    private ArchiveTraining() {
    }

    /** The file backend's run's exit status (0 unless this JVM cannot run a command under a lock at all). */
    static int run(Map<String, String> environment) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("distlock-cds-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a scratch directory for the training run", e);
        }
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true);
        Map<String, String> env = new HashMap<>(environment);
        env.put(BackendOption.VARIABLE, "file:" + scratch.resolve("locks"));
        BackendOption.PASSWORD_VARIABLES.forEach(env::remove);
        try {
            int status = new Main(env, discard, discard).execute("run", "--quiet", "--name", NAME, "--", "true");
            new Main(env, discard, discard).execute("status", NAME);
            new Main(env, discard, discard).execute("list");
            new Main(env, discard, discard).execute("run", "--quiet", "--backend",
                    "jdbc:h2:mem:" + NAME + ";DB_CLOSE_DELAY=0", "--name", NAME, "--", "true");
            // The server backends side by side: each mostly loads and starts its client, and the
            // first run of an installation waits for all of them.
            int closed = closedPort();
            List<Thread> attempts = new ArrayList<>();
            for (String uri : serverBackends("127.0.0.1:" + closed)) {
                Thread attempt = new Thread(() -> new Main(env, discard, discard).execute("run", "--quiet", "--wait",
                        "0", "--backend", uri, "--name", NAME, "--", "true"), "distlock-cds-" + attempts.size());
                attempt.start();
                attempts.add(attempt);
            }
            for (Thread attempt : attempts) {
                joinUninterruptibly(attempt);
            }
            loadListedClasses();
            return status;
        } finally {
            deleteTree(scratch);
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A URI of each server backend at {@code hostPort}, with timeouts short enough that a refused
     * connection costs the training little more than loading the client.
     */
    static List<String> serverBackends(String hostPort) {
        return List.of(
                "redis://" + hostPort + "?connectTimeout=1s&timeout=1s",
                "memcached://" + hostPort + "?connectTimeout=200ms&timeout=200ms",
                "zookeeper://" + hostPort + "/" + NAME + "?connectTimeout=200ms&timeout=200ms",
                "jdbc:postgresql://" + hostPort + "/" + NAME + "?distlock.connectTimeout=300ms",
                "jdbc:mariadb://" + hostPort + "/" + NAME + "?distlock.connectTimeout=300ms");
    }

    /**
     * Loads (without initializing) the classes of {@value #CLASS_LIST}: what runs on the server
     * backends load once connected, which the training above cannot reach.
     */
    private static void loadListedClasses() {
        ClassLoader loader = ArchiveTraining.class.getClassLoader();
        try (InputStream list = ArchiveTraining.class.getResourceAsStream(CLASS_LIST)) {
            if (list == null) {
                return;
            }
            for (String line : new String(list.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.trim();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError gone) {
                    // Not in this version of the dependency: nothing to archive.
                }
            }
        } catch (IOException e) {
            // The jar is unreadable: the run itself would fail the same way, and say so.
        }
    }

    /** A loopback port nothing listens on: one the system just handed out, released again. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            return 1; // reserved, and refused on any host that has no tcpmux service
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A scratch directory under the temporary directory; the system cleans it eventually.
        }
    }
}
