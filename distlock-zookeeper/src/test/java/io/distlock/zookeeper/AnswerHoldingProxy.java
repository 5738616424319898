package io.distlock.zookeeper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of one server that can hold the server's next answer back
 * until the client sends something more: what a ZooKeeper server with ZOOKEEPER-4537 (3.6.0 until
 * 3.8.1) does now and then, on its own schedule. The relay knows nothing of the protocol; it only
 * makes that behaviour happen on demand, so a test can show what the client does about it.
 */
final class AnswerHoldingProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger releasedByClient = new AtomicInteger();
    private volatile boolean armed;
    private volatile boolean closed;

    AnswerHoldingProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "answer-holding-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The server's next bytes, on any connection, are held until that connection's client sends again. */
    void holdNextAnswer() {
        armed = true;
    }

    /** How many held answers the client's own later bytes let through. */
    int releasedByClient() {
        return releasedByClient.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5000);
                sockets.add(client);
                sockets.add(server);
                Connection connection = new Connection(client, server);
                start("client-to-server", connection::clientToServer);
                start("server-to-client", connection::serverToClient);
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private static void start(String name, Runnable pump) {
        Thread thread = new Thread(pump, "answer-holding-proxy-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    /** One client's connection; the client's socket is written only under this object's monitor. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        private final ByteArrayOutputStream held = new ByteArrayOutputStream();
        private boolean holding;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void clientToServer() {
            byte[] buffer = new byte[8192];
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                    synchronized (this) {
                        if (holding) {
                            holding = false;
                            // Counted before the client can see the answer: the test reads the count
                            // as soon as its operation returns, which the answer lets it do.
                            releasedByClient.incrementAndGet();
                            client.getOutputStream().write(held.toByteArray());
                            client.getOutputStream().flush();
                            held.reset();
                        }
                    }
                }
            } catch (IOException closedEitherWay) {
                // Closed below.
            }
            closeBoth();
        }

        void serverToClient() {
            byte[] buffer = new byte[8192];
            try (InputStream in = server.getInputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    synchronized (this) {
                        if (armed) {
                            armed = false;
                            holding = true;
                        }
                        if (holding) {
                            held.write(buffer, 0, n);
                        } else {
                            client.getOutputStream().write(buffer, 0, n);
                            client.getOutputStream().flush();
                        }
                    }
                }
            } catch (IOException closedEitherWay) {
                // Closed below.
            }
            // An end of stream too: a client left talking to a closed server would wait for an answer.
            closeBoth();
        }

        private void closeBoth() {
            try {
                client.close();
                server.close();
            } catch (IOException ignored) {
                // Closed already.
            }
        }
    }
}
