package io.distlock.testkit.server;


import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Private ZooKeeper servers for tests: the Debian package's server ({@code /usr/share/java/zookeeper.jar},
 * package {@code zookeeper}) run by {@code QuorumPeerMain} in its own JVM, on a free loopback port,
 * with its data in the process's temporary directory. A separate process, not Curator's in-JVM
 * {@code TestingServer}, so that fault tests can kill it ({@code kill -9}) or freeze it
 * ({@code SIGSTOP}) by its pid, as a crash or a stall would, without touching the test's JVM.
 */
public final class ZooKeeperServers {
    public static final String INSTALL_HINT = "apt-get install -y zookeeper";
    static final Path SERVER_JAR = Path.of("/usr/share/java/zookeeper.jar");
    /** An SLF4J binding from the same Debian set, so the server's log lands in its output file. */
    private static final Path LOG_BINDING = Path.of("/usr/share/java/slf4j-simple.jar");

    private ZooKeeperServers() {
    }

    /** A standalone server, started and answering. */
    public static ServerProcess start() {
        return builder(null).start();
    }

    /**
     * A server whose configuration gets {@code quorum} appended ({@code server.N=...} lines make it an
     * ensemble member; its {@code myid} is {@code quorum.myId}); null for a standalone server.
     */
    static ServerProcess.Builder builder(Quorum quorum) {
        if (!Files.isRegularFile(SERVER_JAR)) {
            throw new IllegalStateException("The ZooKeeper server (" + SERVER_JAR + ") is not installed; the tests "
                    + "need it: install it with: " + INSTALL_HINT);
        }
        String javaHome = System.getProperty("java.home");
        String classPath = SERVER_JAR + (Files.isRegularFile(LOG_BINDING) ? ":" + LOG_BINDING : "");
        return ServerProcess.builder("java")
                .installHint(INSTALL_HINT)
                .searchDirectories(List.of(javaHome + "/bin"))
                // A standalone server answers ruok while it still loads its data, and then refuses
                // sessions ("ZooKeeperServer not running"); srvr says standalone only once it serves.
                // An ensemble member serves only with a quorum, which its first member cannot have
                // alone: ZooKeeperEnsemble waits for that once all are started.
                .readiness(quorum == null ? (host, port) -> "standalone".equals(modeAt(host, port))
                        : (host, port) -> "imok".equals(fourLetterWord(host, port, "ruok")))
                .startTimeout(java.time.Duration.ofSeconds(60))
                .arguments((port, dir) -> {
                    Path config = writeConfig(port, dir, quorum);
                    return List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                            "-Dorg.slf4j.simpleLogger.showDateTime=true",
                            "-cp", classPath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", config.toString());
                });
    }

    private static Path writeConfig(int port, Path dir, Quorum quorum) {
        Path data = dir.resolve("data");
        List<String> lines = new ArrayList<>(List.of(
                "tickTime=500",
                // Sessions from 1 s (fault tests) to 60 s (the backend's default asks for 30 s).
                "minSessionTimeout=1000",
                "maxSessionTimeout=60000",
                "initLimit=20",
                "syncLimit=4",
                "dataDir=" + data,
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                // The kit opens dozens of sessions from 127.0.0.1; the default allows 60 per address.
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok,srvr,mntr",
                // A test server's log needs no fsync, nor 64 MB preallocated per log file.
                "forceSync=no",
                "preAllocSize=1024"));
        if (quorum != null) {
            lines.addAll(quorum.serverLines());
        }
        try {
            Files.createDirectories(data);
            if (quorum != null) {
                Files.writeString(data.resolve("myid"), Integer.toString(quorum.myId()));
            }
            Path config = dir.resolve("zoo.cfg");
            Files.write(config, lines);
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the ZooKeeper configuration in " + dir, e);
        }
    }

    /** The answer to one of ZooKeeper's four-letter words, or null if the server does not answer. */
    public static String fourLetterWord(String host, int port, String word) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code leader}, {@code follower} or {@code standalone} while the server serves requests, else null. */
    public static String mode(ServerProcess server) {
        return modeAt(server.host(), server.port());
    }

    private static String modeAt(String host, int port) {
        String answer = fourLetterWord(host, port, "srvr");
        if (answer == null) {
            return null;
        }
        for (String line : answer.split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring("Mode: ".length()).trim();
            }
        }
        return null;
    }

    /** An ensemble member's place: its id and the {@code server.N} lines of every member. */
    record Quorum(int myId, List<String> serverLines) {
    }
}
