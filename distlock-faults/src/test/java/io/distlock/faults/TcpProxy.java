package io.distlock.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 between one client and the server, which the suite uses to cut or stall
 * that client's connections and no one else's. Root-free and portable where network namespaces and
 * iptables are not (see the README); what it cannot imitate is a partition the server notices on
 * its own side by the same means (keepalives): the server sees the proxy's sockets.
 */
final class TcpProxy implements AutoCloseable {
    private enum Mode { OPEN, CUT, STALLED }

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private Mode mode = Mode.OPEN;
    private volatile boolean closed;

    TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** Resets every open connection, and every new one until {@link #heal()}. */
    synchronized void cut() {
        mode = Mode.CUT;
        sockets.forEach(TcpProxy::reset);
    }

    /** Holds every byte in both directions, on open and new connections, until {@link #heal()}. */
    synchronized void stall() {
        mode = Mode.STALLED;
    }

    /** Back to forwarding; bytes held by a stall are delivered. */
    synchronized void heal() {
        mode = Mode.OPEN;
        notifyAll();
    }

    private synchronized Mode awaitNotStalled() throws InterruptedException {
        while (mode == Mode.STALLED && !closed) {
            wait();
        }
        return mode;
    }

    private synchronized Mode mode() {
        return mode;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (mode() == Mode.CUT) {
                reset(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 2000);
            } catch (IOException e) {
                reset(client);
                reset(server);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            pump(client, server);
            pump(server, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (awaitNotStalled() == Mode.CUT) {
                        break;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // reset, cut or closed: the other side learns it from the reset below
            }
            reset(from);
            reset(to);
            sockets.remove(from);
            sockets.remove(to);
        }, "proxy-" + from.getPort() + "-" + to.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** Closes with an RST, as a dropped connection looks to both ends. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        heal();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closed
        }
        sockets.forEach(TcpProxy::reset);
    }
}
