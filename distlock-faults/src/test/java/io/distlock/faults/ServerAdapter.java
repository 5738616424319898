package io.distlock.faults;

import io.distlock.testkit.server.ServerProcess;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;

/**
 * A backend on one private server process from its module's test fixture: the server faults are
 * that process's (SIGKILL and a start on the same port and directory, SIGSTOP and SIGCONT), and a
 * proxied client reaches it through the proxy's port. A subclass names the backend and writes its
 * URI for a port.
 */
abstract class ServerAdapter implements BackendAdapter {
    /**
     * The timeouts of the key-value backends' URIs: a short one per operation, so a fault shows as
     * failed calls within seconds rather than waits; a long one to connect, because a client JVM
     * starting on a loaded machine is slow to its first answer and that is not the fault under test.
     */
    static final String TIMEOUTS = "timeout=2s&connectTimeout=10s";
    /** The same for the JDBC backend, whose own parameters carry a prefix the driver never sees. */
    static final String JDBC_TIMEOUTS = "distlock.timeout=2s&distlock.connectTimeout=10s";
    protected final ServerProcess server;

    ServerAdapter(ServerProcess server) {
        this.server = server;
    }

    /** The URI of the server reached at 127.0.0.1:{@code port} (its own port, or the proxy's). */
    abstract String uri(int port);

    @Override
    public final String clientUri(Path runDirectory, InetSocketAddress via) {
        return uri(via == null ? server.port() : via.getPort());
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
        server.freeze();
    }

    @Override
    public void resumeServer() {
        server.thaw();
    }

    @Override
    public Set<Fault> faults() {
        return SERVER_FAULTS;
    }

    @Override
    public void close() {
        server.close();
    }
}
