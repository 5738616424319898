package io.distlock.memcached;

import io.distlock.LockBackendException;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.Durations;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.MemcachedClientStateListener;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.exception.MemcachedException;
import net.rubyeye.xmemcached.transcoders.StringTranscoder;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The connection to one memcached server (the module's connection room: client, health,
 * reconnects), through its own xmemcached client that knows only this server: a
 * client that knows one server has nowhere to re-hash a key to, whatever its failure mode.
 *
 * <p>The binary protocol, because its delete takes a CAS value (xmemcached's text-protocol delete
 * drops it) and its increment creates a missing counter with an initial value in the same atomic
 * step. Every call answers or throws {@link LockBackendException} within the operation timeout.
 *
 * <p>A call made while the connection is down waits for the reconnect, within that same timeout,
 * instead of failing at once: xmemcached re-opens a dropped connection within half a second, and
 * without the wait every call in that gap (a waiter's next try, a release) failed with "no
 * available connection" although the server was there all along. A server that stays down still
 * fails each call within the timeout (contract 6.3).
 */
final class MemcachedConnection implements AutoCloseable {
    /** memcached reads an expiry above 30 days as an absolute unix time. */
    static final long MAX_RELATIVE_EXPIRY_SECONDS = 60L * 60 * 24 * 30;

    private final MemcachedSettings.Server server;
    private final String label;
    private final long timeoutMillis;
    private final MemcachedClient client;
    /** The server's unix time (s) at {@link #clockNanos}, from its {@code stats}; null until asked, or after a reconnect. */
    private volatile long @Nullable [] clock;
    /** How often a call waiting for the connection looks whether it is back. */
    private static final long RECONNECT_LOOK_MILLIS = 10;
    /** Notified when a connection opens, to wake calls waiting for one. */
    private final Object reconnect = new Object();
    /** Whether the server has answered a call: then it is memcached, and a timeout is only slowness. */
    private volatile boolean answered;
    /** Whether a timed-out call has asked the server what it is ({@link #notMemcached}); once is enough. */
    private final java.util.concurrent.atomic.AtomicBoolean probed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Set when the server turned out not to be memcached: why, and what to do; every call then fails with it. */
    private volatile @Nullable String notMemcached;
    /** Set when nothing accepted a connection at the server's address when asked: what to do. */
    private volatile @Nullable String refused;

    MemcachedConnection(MemcachedSettings.Server server, Duration timeout, Duration connectTimeout,
               Consumer<MemcachedConnection> onDisconnect) {
        this.server = server;
        this.label = server.label();
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(
                List.of(new InetSocketAddress(server.host(), server.port())));
        builder.setCommandFactory(new BinaryCommandFactory());
        builder.setTranscoder(new StringTranscoder("UTF-8"));
        builder.setConnectionPoolSize(1);
        builder.setSelectorPoolSize(1);
        builder.setConnectTimeout(Math.max(1, connectTimeout.toMillis()));
        builder.setOpTimeout(timeoutMillis);
        // A restarted server is found again within half a second.
        builder.setHealSessionInterval(500);
        builder.setName("distlock-memcached-" + label);
        MemcachedConnection self = this;
        builder.setStateListeners(List.of(new MemcachedClientStateListener() {
            @Override
            public void onStarted(MemcachedClient c) {
            }

            @Override
            public void onShutDown(MemcachedClient c) {
            }

            @Override
            public void onConnected(MemcachedClient c, InetSocketAddress address) {
                clock = null;
                synchronized (reconnect) {
                    reconnect.notifyAll();
                }
            }

            @Override
            public void onDisconnected(MemcachedClient c, InetSocketAddress address) {
                // A restarted server has another clock start and forgot its items: ask it again.
                clock = null;
                onDisconnect.accept(self);
            }

            @Override
            public void onException(MemcachedClient c, Throwable cause) {
            }
        }));
        try {
            this.client = builder.build();
        } catch (IOException | RuntimeException e) {
            throw new LockBackendException("could not start a memcached client for " + label + ": " + e, e);
        }
    }

    String label() {
        return label;
    }

    MemcachedSettings.Server server() {
        return server;
    }

    boolean add(String key, int expiry, String value) {
        return call("add", key, () -> client.add(key, expiry, value, timeoutMillis));
    }

    GetsResponse<String> gets(String key) {
        return call("gets", key, () -> client.<String>gets(key, timeoutMillis));
    }

    Map<String, String> getAll(List<String> keys) {
        return call("get", keys.get(0), () -> client.<String>get(keys, timeoutMillis));
    }

    boolean cas(String key, int expiry, String value, long cas) {
        return call("cas", key, () -> client.cas(key, expiry, value, timeoutMillis, cas));
    }

    boolean deleteIfCas(String key, long cas) {
        return call("delete", key, () -> client.delete(key, cas, timeoutMillis));
    }

    boolean delete(String key) {
        return call("delete", key, () -> client.delete(key, timeoutMillis));
    }

    /** Adds one to the counter, creating it at {@code initial} (returned then) if absent; it never expires. */
    long increment(String key, long initial) {
        return call("incr", key, () -> client.incr(key, 1, initial, timeoutMillis, 0));
    }

    /**
     * The server's unix time in seconds, as its clock reads it ({@code stats time}), advanced by
     * this JVM's monotonic clock since it was asked (once per connection).
     */
    long serverSeconds() {
        long[] known = clock;
        if (known == null) {
            long before = System.nanoTime();
            Map<InetSocketAddress, Map<String, String>> stats = call("stats", "", () -> client.getStats(timeoutMillis));
            String time = stats.values().stream().map(s -> s.get("time")).filter(t -> t != null).findFirst()
                    .orElseThrow(() -> new LockBackendException("memcached server " + label
                            + " did not report its time in 'stats' (got " + stats + ")"));
            try {
                known = new long[] {Long.parseLong(time.trim()), before};
            } catch (NumberFormatException e) {
                throw new LockBackendException("memcached server " + label + " reported time '" + time
                        + "' in 'stats', which is not a number", e);
            }
            clock = known;
        }
        return known[0] + (System.nanoTime() - known[1]) / 1_000_000_000L;
    }

    /**
     * The expiry to send for a lease: its whole seconds rounded up, plus two. memcached keeps its
     * clock in whole seconds, set by a timer that fires about once a second but not on second
     * boundaries (it counts from the server's start and drifts later with every tick): an item
     * stored with N seconds expires at the first tick whose truncated time reaches "the truncated
     * time at the last tick before the store" plus N. That time may already be almost two seconds
     * behind when the item is stored, so N seconds can last barely more than N-2. Two extra seconds
     * keep the lock on the server for at least the lease, counted from when the holder sent the
     * request, which is how the engine counts it (a timer that fires late, on a server too busy to
     * run it, still eats into that). Above 30 days memcached wants an absolute unix time: the
     * server's own, plus one more second for the truncation of its clock. Never 0 (memcached's "no
     * expiry") nor a time memcached would read as relative or past: a lease whose end the server's
     * clock puts past what a 32-bit unix time holds (2038-01-19; with leases of at most
     * {@link Durations#MAX}, only on a server whose clock reads 2037 or later) is refused with a
     * {@link LockBackendException}, since memcached could not keep it.
     */
    int expiry(Duration lease) {
        long seconds = Durations.saturatedAdd(ceilSeconds(lease), 2);
        if (seconds <= MAX_RELATIVE_EXPIRY_SECONDS) {
            return (int) seconds;
        }
        long now = serverSeconds();
        long absolute = Durations.saturatedAdd(now, Durations.saturatedAdd(seconds, 1));
        if (absolute <= MAX_RELATIVE_EXPIRY_SECONDS || absolute > Integer.MAX_VALUE) {
            throw new LockBackendException("memcached server " + label + " cannot keep a lease of "
                    + Durations.format(lease) + ": over 30 days it takes the end as a 32-bit unix time, and its clock "
                    + "(unix time " + now + ") puts that end at " + absolute + ", outside 30 days to 2038-01-19");
        }
        return (int) absolute;
    }

    static long ceilSeconds(Duration lease) {
        long seconds = lease.getSeconds();
        return lease.getNano() > 0 ? seconds + 1 : seconds;
    }

    private interface Call<T> {
        T run() throws TimeoutException, InterruptedException, MemcachedException;
    }

    private <T> T call(String operation, String key, Call<T> call) {
        String wrongServer = notMemcached;
        if (wrongServer != null) {
            throw new LockBackendException(wrongServer);
        }
        try {
            awaitConnection();
            T result = call.run();
            answered = true;
            return result;
        } catch (TimeoutException e) {
            String why = diagnosis();
            if (notMemcached != null) {
                throw new LockBackendException(notMemcached, e);
            }
            throw new LockBackendException("memcached server " + label + " did not answer " + operation
                    + " within " + timeoutMillis + " ms" + (why == null ? "" : " (" + why + ")"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockBackendException("interrupted during " + operation + " on memcached server " + label, e);
        } catch (MemcachedException e) {
            String why = diagnosis();
            if (notMemcached != null) {
                throw new LockBackendException(notMemcached, e);
            }
            String message = "memcached server " + label + " failed " + operation + ": " + e.getMessage()
                    + (why == null ? "" : " (" + why + ")");
            // A command caught by a dropped connection: sent on a session that closed under it, or
            // with none open. xmemcached says so only in words (one exception type for everything).
            throw lostConnection(e) ? new ConnectionUnavailableException(message, e) : new LockBackendException(message, e);
        } catch (RuntimeException e) {
            throw new LockBackendException("memcached server " + label + " failed " + operation + ": " + e, e);
        }
    }

    /**
     * What a failed call of a server that has never answered means, found out once: it is not
     * memcached ({@link #notMemcached} is set, and every call fails with it from then on), or
     * nothing accepts connections at its address (what to do, returned for every failure until it
     * answers); null when there is nothing to add. A server that never answers memcached's binary
     * protocol looks like one that is merely slow: a Redis server, whose inline parser waits for a
     * line end that binary requests need not contain, let every call wait its whole timeout (9.6 s
     * for one {@code distlock run --wait 0}) and said only "did not answer".
     */
    private @Nullable String diagnosis() {
        if (answered) {
            return null;
        }
        if (probed.compareAndSet(false, true)) {
            probe();
        }
        return refused;
    }

    /** Asks the server what it is, in memcached's text protocol, on a connection of its own. */
    private void probe() {
        int patience = (int) Math.max(1, Math.min(timeoutMillis, Integer.MAX_VALUE));
        byte[] reply = new byte[80];
        int length = 0;
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), patience);
            socket.setSoTimeout(patience);
            socket.getOutputStream().write("version\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.InputStream in = socket.getInputStream();
            for (int n; length < reply.length && (n = in.read(reply, length, reply.length - length)) > 0; ) {
                length += n;
                if (reply[length - 1] == '\n') {
                    break;
                }
            }
        } catch (java.net.ConnectException e) {
            refused = "nothing accepts connections at " + label + " (Connection refused): start memcached there, or "
                    + "correct its host and port where the servers are named: the URI, or "
                    + MemcachedSettings.SERVERS_VARIABLE;
            return;
        } catch (IOException | IllegalArgumentException noAnswer) {
            // Unreachable, silent, or gone mid-answer: what it did answer, if anything, is judged below.
        }
        String answer = new String(reply, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
        if (length == 0 || answer.startsWith("VERSION ")) {
            return;
        }
        String shown = io.distlock.spi.Printable.of(answer.lines().findFirst().orElse("").strip());
        notMemcached = "the server at " + label + " is not memcached: it answers memcached's 'version' with '" + shown
                + "'" + (answer.startsWith("-ERR") ? " (a Redis server answers so)" : "")
                + "; check the port in the URI (memcached listens on 11211 unless configured otherwise)";
    }

    private boolean lostConnection(MemcachedException failure) {
        String message = String.valueOf(failure.getMessage());
        return client.getAvailableServers().isEmpty() || message.contains("Session has been closed")
                || message.contains("no available connection");
    }

    /**
     * Returns once a connection is open, or after the operation timeout (the call then fails as it
     * would have). Woken by {@code onConnected}, but it also looks again every few milliseconds:
     * xmemcached may call {@code onConnected} before the new session is among its available
     * servers, and a wait for the next signal alone then lasted the whole timeout (seen: 10 s of a
     * renewal blocked, and the lock lost, after a reconnect that took under a second).
     */
    private void awaitConnection() throws InterruptedException {
        if (!client.getAvailableServers().isEmpty() || client.isShutdown()) {
            return;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        synchronized (reconnect) {
            long remaining;
            while (client.getAvailableServers().isEmpty() && !client.isShutdown()
                    && (remaining = deadline - System.nanoTime()) > 0) {
                reconnect.wait(Math.max(1, Math.min(RECONNECT_LOOK_MILLIS, remaining / 1_000_000L)));
            }
        }
    }

    @Override
    public void close() {
        try {
            if (notMemcached != null) {
                // Shutting down sends each connection memcached's binary 'quit' and waits up to 5 s
                // for it to close, which a server that is not memcached never does: close them first.
                client.getConnector().setEnableHealSession(false);
                for (com.google.code.yanf4j.core.Session session : List.copyOf(client.getConnector().getSessionSet())) {
                    session.close();
                }
            }
            client.shutdown();
        } catch (IOException | RuntimeException ignored) {
            // Closing is best effort: the connections go with the process anyway.
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
