package io.distlock.testkit.server;


import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Private {@code memcached} processes for tests: loopback only, TCP only, a free port, 64 MB. */
public final class MemcachedServers {
    public static final String INSTALL_HINT = "apt-get install -y memcached";

    private MemcachedServers() {
    }

    /** A plain server, started and ready. */
    public static ServerProcess start() {
        return builder().start();
    }

    /** The builder, with {@code extraArguments} appended (for example {@code "-M"}), for a fixed port or other timeouts. */
    public static ServerProcess.Builder builder(String... extraArguments) {
        List<String> extra = List.of(extraArguments);
        return ServerProcess.builder("memcached")
                .installHint(INSTALL_HINT)
                .arguments((port, dir) -> {
                    // -u: memcached refuses to run as root without naming a user; as anyone else it is ignored.
                    List<String> args = new ArrayList<>(List.of("-l", "127.0.0.1", "-p", String.valueOf(port),
                            "-U", "0", "-m", "64", "-t", "2", "-u", System.getProperty("user.name")));
                    args.addAll(extra);
                    return args;
                })
                .readiness(MemcachedServers::answersVersion);
    }

    /** Ready once it answers the text protocol's {@code version} with {@code VERSION ...}. */
    public static boolean answersVersion(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString().startsWith("VERSION ");
        }
    }

    /** The server's unix time in seconds, as its {@code stats} report it. */
    public static long time(ServerProcess server) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), 1000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1; c = in.read()) {
                if (c != '\n') {
                    line.append((char) c);
                    continue;
                }
                String text = line.toString().trim();
                line.setLength(0);
                if (text.startsWith("STAT time ")) {
                    return Long.parseLong(text.substring("STAT time ".length()));
                }
                if (text.equals("END")) {
                    break;
                }
            }
            throw new IllegalStateException(server + " reported no time in its stats");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not read the stats of " + server, e);
        }
    }

    /**
     * The seconds {@code key} has left on {@code server}, as its meta command {@code mg <key> t}
     * reports them (memcached 1.6): -1 for an item that never expires, null for a missing one.
     */
    public static Long ttl(ServerProcess server, String key) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), 1000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(("mg " + key + " t\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            String answer = line.toString().trim();
            if (answer.equals("EN")) {
                return null;
            }
            for (String part : answer.split(" ")) {
                if (answer.startsWith("HD ") && part.startsWith("t")) {
                    return Long.parseLong(part.substring(1));
                }
            }
            throw new IllegalStateException(server + " answered '" + answer + "' to mg " + key + " t");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not ask " + server + " for the TTL of " + key, e);
        }
    }

    /** The URI of {@code servers}, in order, with {@code query} (may be empty). */
    public static String uri(String query, ServerProcess... servers) {
        StringBuilder uri = new StringBuilder("memcached://");
        for (int i = 0; i < servers.length; i++) {
            uri.append(i == 0 ? "" : ",").append(servers[i].host()).append(':').append(servers[i].port());
        }
        return query.isEmpty() ? uri.toString() : uri + "?" + query;
    }
}
