package io.distlock.testkit.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Redis fixtures' own look at their nodes and sentinels, independent of the backend under test
 * and of any client library: RESP over a plain socket, one connection per port, kept open between
 * polls. A node that is down or frozen fails a command at once or within 2 s, never hangs a poll,
 * and its connection is dropped so the next command connects afresh; a caller that polls treats
 * the exception as "not yet".
 */
final class FixtureClient implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = (int) Duration.ofSeconds(2).toMillis();
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();

    /**
     * Runs a command on the server on {@code port} and returns its reply as text: a status or a
     * bulk string as it is, an integer in decimal, null for a null reply.
     *
     * @throws IllegalStateException if the server answers with an error
     * @throws UncheckedIOException if it cannot be reached or does not answer within 2 s
     */
    String command(int port, Object... arguments) {
        Object reply = call(port, arguments);
        return reply == null ? null : reply.toString();
    }

    /** A field of {@code INFO <section>} of the node on {@code port}, or null if it has none. */
    String info(int port, String section, String field) {
        String prefix = field + ":";
        return command(port, "INFO", section).lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length()).trim()).findFirst().orElse(null);
    }

    /** {@code SENTINEL MASTER <id>} of the sentinel on {@code port}, as field names to values. */
    Map<String, String> sentinelPrimary(int port, String primaryId) {
        return fields((List<?>) call(port, "SENTINEL", "MASTER", primaryId));
    }

    /** {@code SENTINEL REPLICAS <id>} of the sentinel on {@code port}, one map of fields per replica. */
    List<Map<String, String>> sentinelReplicas(int port, String primaryId) {
        List<Map<String, String>> replicas = new ArrayList<>();
        for (Object replica : (List<?>) call(port, "SENTINEL", "REPLICAS", primaryId)) {
            replicas.add(fields((List<?>) replica));
        }
        return replicas;
    }

    /** The port the sentinel on {@code port} names as the primary's, or -1 while it names none. */
    int primaryPortNamedBy(int port, String primaryId) {
        Object reply = call(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", primaryId);
        return reply instanceof List<?> address && address.size() == 2 ? Integer.parseInt(address.get(1).toString()) : -1;
    }

    private static Map<String, String> fields(List<?> flat) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return fields;
    }

    private Object call(int port, Object... arguments) {
        boolean reused = connections.containsKey(port);
        try {
            return callOnce(port, arguments);
        } catch (UncheckedIOException e) {
            // A kept connection the server has since reset (a test dropped every connection, or the
            // server restarted) is stale, not an answer: ask once more on a new one. A timeout is an
            // answer (the server is frozen), and asking again would only double the wait.
            if (!reused || e.getCause() instanceof SocketTimeoutException) {
                throw e;
            }
            return callOnce(port, arguments);
        }
    }

    private Object callOnce(int port, Object... arguments) {
        Connection connection = connections.computeIfAbsent(port, Connection::open);
        try {
            return connection.call(arguments);
        } catch (IOException e) {
            connections.remove(port, connection);
            connection.close();
            throw new UncheckedIOException("127.0.0.1:" + port + " did not answer " + arguments[0], e);
        }
    }

    @Override
    public void close() {
        connections.values().forEach(Connection::close);
        connections.clear();
    }

    /** The hash slot of a key in a Redis Cluster: CRC16 (XMODEM) of the key or of its {@code {hash tag}}, modulo 16384. */
    static int slotOf(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int from = 0;
        int to = bytes.length;
        int open = indexOf(bytes, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(bytes, (byte) '}', open + 1);
            if (close > open + 1) {
                from = open + 1;
                to = close;
            }
        }
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (bytes[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        return (crc & 0xFFFF) % 16384;
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** One socket to one server; calls on it take turns. */
    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        static Connection open(int port) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                return new Connection(socket);
            } catch (IOException e) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Nothing was opened.
                }
                throw new UncheckedIOException("could not connect to 127.0.0.1:" + port, e);
            }
        }

        synchronized Object call(Object... arguments) throws IOException {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (Object argument : arguments) {
                byte[] bytes = String.valueOf(argument).getBytes(StandardCharsets.UTF_8);
                request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                request.writeBytes(bytes);
                request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(request.toByteArray());
            out.flush();
            return readReply();
        }

        private Object readReply() throws IOException {
            int type = in.read();
            if (type == -1) {
                throw new IOException("the server closed the connection");
            }
            String line = readLine();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    throw new IllegalStateException(line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        return null;
                    }
                    byte[] bytes = in.readNBytes(length + 2);
                    if (bytes.length != length + 2) {
                        throw new IOException("the server closed the connection within a reply");
                    }
                    return new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
                case '*': {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        return null;
                    }
                    List<Object> elements = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        elements.add(readReply());
                    }
                    return elements;
                }
                default:
                    throw new IOException("not a RESP2 reply: " + (char) type + line);
            }
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c == -1) {
                    throw new IOException("the server closed the connection within a reply");
                }
                if (c != '\r') {
                    line.write(c);
                }
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing is all that was left to do with it.
            }
        }
    }
}
