package io.distlock.faults;

import io.distlock.redis.RedisServers;
import io.distlock.testkit.server.ServerProcess;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;

/**
 * A single private redis-server (no persistence, as {@link RedisServers} starts it). A short
 * command timeout, so a fault shows as failed calls within seconds rather than waits; a long connect
 * timeout, because a client JVM starting on a loaded machine is slow to its first answer and that
 * is not the fault under test.
 */
final class RedisAdapter implements BackendAdapter {
    static final Set<Fault> FAULTS = SERVER_FAULTS;
    static final String PARAMETERS = "?timeout=2s&connectTimeout=10s";
    private final ServerProcess server = RedisServers.start();

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String clientUri(Path runDirectory, InetSocketAddress via) {
        int port = via == null ? server.port() : via.getPort();
        return "redis://127.0.0.1:" + port + PARAMETERS;
    }

    @Override
    public InetSocketAddress serverAddress() {
        return new InetSocketAddress(server.host(), server.port());
    }

    @Override
    public void killServer() {
        server.kill();
    }

    @Override
    public void startServer() {
        server.start();
    }

    @Override
    public void pauseServer() {
        server.pause();
    }

    @Override
    public void resumeServer() {
        server.resume();
    }

    @Override
    public Set<Fault> faults() {
        return FAULTS;
    }

    @Override
    public void close() {
        server.close();
    }
}
