package io.distlock.testkit.server;


import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Private {@code redis-server} processes for tests: no persistence, loopback only, a free port. */
public final class RedisServers {
    public static final String INSTALL_HINT = "apt-get install -y redis-server";

    private RedisServers() {
    }

    /** A plain server, started and ready. */
    public static ServerProcess start() {
        return builder().start();
    }

    /** A server with {@code extraArguments} appended (for example {@code "--requirepass", "secret"}). */
    public static ServerProcess start(String... extraArguments) {
        return builder(extraArguments).start();
    }

    /** The builder, for a fixed port or other timeouts. */
    public static ServerProcess.Builder builder(String... extraArguments) {
        List<String> extra = List.of(extraArguments);
        return builder(() -> extra);
    }

    /**
     * The builder with extra arguments read again at every start: a node of a replicated setup
     * that comes back as the replica of whichever node is primary by then.
     */
    public static ServerProcess.Builder builder(Supplier<List<String>> extraArguments) {
        return ServerProcess.builder("redis-server")
                .installHint(INSTALL_HINT)
                .arguments((port, dir) -> {
                    List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port),
                            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", dir.toString(), "--daemonize", "no"));
                    args.addAll(extraArguments.get());
                    return args;
                })
                .readiness(RedisServers::answersPing);
    }

    /**
     * Ready once it answers PING with any reply line: {@code +PONG}, or {@code -NOAUTH} when a
     * password is required, both mean the server is serving.
     */
    public static boolean answersPing(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            socket.setSoTimeout(1000);
            String reply = pingReply(socket);
            return reply.equals("+PONG") || reply.startsWith("-NOAUTH");
        }
    }

    /** Sends PING on a connected socket (plain or TLS) and returns the server's first reply line. */
    public static String pingReply(Socket connected) throws IOException {
        connected.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        connected.getOutputStream().flush();
        InputStream in = connected.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
