package io.distlock.zookeeper;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Why no session came, for the message of a failed connect: Curator says only that none came in
 * time, which is what a server that is down, a port that is not ZooKeeper's and an ensemble
 * without a quorum all look like. Asked on the failure path only, with one TCP connect per server.
 */
final class ConnectAdvice {
    /** What the connects found: the sentence, and a {@link ConnectException} when every server refused. */
    record Finding(String advice, @Nullable ConnectException refused) {
    }

    private ConnectAdvice() {
    }

    /** What the connects found; null when no server answered at all, which says no more than the timeout. */
    static @Nullable Finding of(String connectString, Duration connectTimeout) {
        int patience = (int) Math.max(1, Math.min(1000, connectTimeout.toMillis()));
        List<String> refused = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> accepting = new ArrayList<>();
        @Nullable ConnectException lastRefusal = null;
        for (String server : connectString.split(",")) {
            int colon = server.lastIndexOf(':');
            String host = server.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(server.substring(colon + 1));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), patience);
                accepting.add(server);
            } catch (ConnectException e) {
                refused.add(server);
                lastRefusal = e;
            } catch (UnknownHostException e) {
                unknown.add(server);
            } catch (IOException | IllegalArgumentException noAnswer) {
                // Unreachable or silent: nothing more to say than the timeout does.
            }
        }
        if (!accepting.isEmpty()) {
            return new Finding(String.join(", ", accepting) + " accepts connections but started no session: check "
                    + "that it is a ZooKeeper client port (2181 unless configured otherwise) and that the ensemble "
                    + "has a quorum; on a loaded host, raise connectTimeout", null);
        }
        if (!unknown.isEmpty()) {
            return new Finding("the host name of " + String.join(", ", unknown) + " is not known: check the hosts "
                    + "in the URI", null);
        }
        if (!refused.isEmpty()) {
            return new Finding("nothing accepts connections at " + String.join(", ", refused) + " (Connection "
                    + "refused): start ZooKeeper there, or correct the hosts and ports in the URI", lastRefusal);
        }
        return null;
    }
}
