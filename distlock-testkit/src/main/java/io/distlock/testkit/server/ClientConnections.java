package io.distlock.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Cuts a server's client connections from the server's side, for contract rule 6.4, the same way
 * for every server: the kernel destroys the server's end of each established TCP connection on a
 * port and sends the client a reset ({@code ss -K}, SOCK_DESTROY). The client sees exactly what a
 * server that drops a connection shows it; the server process keeps running, so whatever it
 * stores survives and the client can reconnect at once.
 *
 * <p>Needs {@code ss} (Debian package iproute2), CAP_NET_ADMIN (root) and a kernel built with
 * CONFIG_INET_DIAG_DESTROY. When one is missing the call fails with that list; it never pretends.
 */
public final class ClientConnections {
    private ClientConnections() {
    }

    /**
     * Resets every established connection whose server end is on {@code port} of this host.
     *
     * @return how many connections were reset
     */
    public static int reset(int port) {
        String filter = "( sport = :" + port + " )";
        String output;
        int exit;
        try {
            Process ss = new ProcessBuilder("ss", "-K", "-H", "-tn", "state", "established", filter)
                    .redirectErrorStream(true).start();
            output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ss.waitFor(10, TimeUnit.SECONDS)) {
                ss.destroyForcibly();
                throw new IllegalStateException("ss -K on port " + port + " did not finish within 10 s");
            }
            exit = ss.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run ss to reset the connections on port " + port
                    + " (install it with: apt-get install -y iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resetting the connections on port " + port, e);
        }
        if (exit != 0) {
            throw new IllegalStateException("ss -K " + filter + " failed with exit code " + exit + ": " + output.strip()
                    + " (it needs root or CAP_NET_ADMIN and a kernel with CONFIG_INET_DIAG_DESTROY)");
        }
        // ss -K lists the sockets it destroyed, one line each (-H: no header).
        return (int) output.lines().filter(line -> !line.isBlank()).count();
    }
}
