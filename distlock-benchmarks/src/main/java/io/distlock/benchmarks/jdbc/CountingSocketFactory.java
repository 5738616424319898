package io.distlock.benchmarks.jdbc;

import org.jspecify.annotations.Nullable;

import javax.net.SocketFactory;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PostgreSQL driver's sockets ({@code socketFactory=} this class), counting what the driver
 * writes to the server: the driver buffers a request (Parse/Bind/Execute/Sync, or a simple query)
 * and writes it with one flush, then waits for the answer, so one write is one round trip. Costs an
 * atomic increment per round trip, the same for every implementation measured.
 */
public final class CountingSocketFactory extends SocketFactory {
    private static final AtomicLong WRITES = new AtomicLong();

    /** Writes by every connection of this JVM so far. */
    public static long writes() {
        return WRITES.get();
    }

    @Override
    public Socket createSocket() {
        return new CountingSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port));
    }

    private static Socket connected(InetSocketAddress address) throws IOException {
        Socket socket = new CountingSocket();
        socket.connect(address);
        return socket;
    }

    private static final class CountingSocket extends Socket {
        /** Made on the first call, when the socket is connected: before that there is no stream to wrap. */
        private @Nullable OutputStream counting;

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (counting == null) {
                counting = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        WRITES.incrementAndGet();
                        out.write(bytes, offset, length);
                    }

                    @Override
                    public void write(int b) throws IOException {
                        WRITES.incrementAndGet();
                        out.write(b);
                    }
                };
            }
            return counting;
        }
    }
}
