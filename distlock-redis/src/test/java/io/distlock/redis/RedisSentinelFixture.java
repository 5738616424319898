package io.distlock.redis;

import io.distlock.testkit.server.ServerProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A private primary redis-server watched by one Sentinel ({@code redis-server <conf> --sentinel},
 * since the redis-sentinel link may not be installed), both on free loopback ports in their own
 * temporary directories and stopped by pid.
 */
final class RedisSentinelFixture implements AutoCloseable {
    static final String MASTER_ID = "mymaster";

    final ServerProcess primary;
    final ServerProcess sentinel;

    RedisSentinelFixture() {
        primary = RedisServers.start();
        try {
            sentinel = ServerProcess.builder("redis-server")
                    .installHint(RedisServers.INSTALL_HINT)
                    .arguments((port, dir) -> List.of(writeConfig(port, dir).toString(), "--sentinel"))
                    .readiness((host, port) -> primary.port() == masterPortReportedBy(host, port))
                    .start();
        } catch (RuntimeException | Error e) {
            primary.close();
            throw e;
        }
    }

    /** A redis-sentinel:// URI: Lettuce asks the Sentinel where the primary is. */
    String uri(String parameters) {
        return "redis-sentinel://127.0.0.1:" + sentinel.port() + "?sentinelMasterId=" + MASTER_ID
                + (parameters.isEmpty() ? "" : "&" + parameters);
    }

    private Path writeConfig(int port, Path dir) {
        // Sentinel rewrites its configuration file, so it lives in the Sentinel's own directory.
        Path config = dir.resolve("sentinel.conf");
        try {
            Files.writeString(config, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "daemonize no",
                    "dir " + dir,
                    "sentinel monitor " + MASTER_ID + " 127.0.0.1 " + primary.port() + " 1",
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + config, e);
        }
        return config;
    }

    /** The port from {@code SENTINEL get-master-addr-by-name}, or -1 while the Sentinel does not know it. */
    static int masterPortReportedBy(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write(("SENTINEL get-master-addr-by-name " + MASTER_ID + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            // *2 $9 127.0.0.1 $5 port: the fifth line is the port; anything else means not ready.
            String header = readLine(in);
            if (!header.equals("*2")) {
                return -1;
            }
            readLine(in);
            readLine(in);
            readLine(in);
            return Integer.parseInt(readLine(in));
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    @Override
    public void close() {
        try {
            sentinel.close();
        } finally {
            primary.close();
        }
    }
}
