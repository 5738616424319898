package io.distlock.faults;

import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A backend on one private server process, as the testkit's {@link TestBackend} starts it and
 * writes its URI: the server faults are that process's (SIGKILL and a start on the same port and
 * directory, SIGSTOP and SIGCONT), and a proxied client reaches it through the proxy's port. A
 * subclass names the backend and adds its own URI parameters.
 */
abstract class ServerAdapter implements BackendAdapter {
    /**
     * The timeouts of the key-value backends' URIs: a short one per operation, so a fault shows as
     * failed calls within seconds rather than waits; a long one to connect, because a client JVM
     * starting on a loaded machine is slow to its first answer and that is not the fault under test.
     */
    static final Map<String, String> TIMEOUTS = TestBackend.parameters("timeout", "2s", "connectTimeout", "10s");
    /** {@link #TIMEOUTS} as a URI query, for the adapters whose URI is not a {@link TestBackend}'s. */
    static final String TIMEOUTS_QUERY = TestBackend.query(TIMEOUTS);
    protected final TestBackend backend;
    protected final ServerProcess server;

    ServerAdapter(TestBackend backend) {
        this.backend = backend;
        this.server = backend.start();
    }

    /** The backend's own URI parameters beyond {@link #TIMEOUTS}; none unless a subclass says so. */
    Map<String, String> parameters() {
        return Map.of();
    }

    /** The URI of the server reached at 127.0.0.1:{@code port} (its own port, or the proxy's). */
    final String uri(int port) {
        Map<String, String> parameters = new LinkedHashMap<>(parameters());
        parameters.putAll(TIMEOUTS);
        return backend.uri(port, parameters);
    }

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
        return faultsOf(backend);
    }

    /**
     * The client faults, the connection faults (a proxied client's connections reach any server
     * over TCP), and the server faults the backend's descriptor says its server can be put through.
     */
    static Set<Fault> faultsOf(TestBackend backend) {
        Set<Fault> faults = EnumSet.copyOf(CLIENT_FAULTS);
        faults.add(Fault.CONNECTION_CUT);
        faults.add(Fault.CONNECTION_STALL);
        if (backend.faults().contains(TestBackend.ServerFault.CRASH)) {
            faults.add(Fault.SERVER_RESTART);
        }
        if (backend.faults().contains(TestBackend.ServerFault.FREEZE)) {
            faults.add(Fault.SERVER_PAUSE);
        }
        return Collections.unmodifiableSet(faults);
    }

    @Override
    public void close() {
        backend.stop(server);
        server.close();
    }
}
