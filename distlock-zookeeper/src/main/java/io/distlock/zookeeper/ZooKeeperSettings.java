package io.distlock.zookeeper;

import io.distlock.spi.BackendOptions;
import io.distlock.spi.BackendUri;
import io.distlock.spi.Durations;
import io.distlock.spi.Namespaces;
import org.apache.zookeeper.common.PathUtils;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed {@code zookeeper://h1:2181,h2:2181/chroot?parameters} URI: where the ensemble is, and
 * where under it this namespace's nodes live ({@code <chroot>/<namespace>}).
 */
record ZooKeeperSettings(String description, String connectString, String chroot, String namespace,
                         Duration sessionTimeout, Duration connectTimeout, Duration commandTimeout) {

    static final String SCHEME = "zookeeper";
    static final String DEFAULT_NAMESPACE = Namespaces.DEFAULT;
    static final int DEFAULT_PORT = 2181;
    /**
     * Longer than the default lease (20 s), so that a holder paused past its session has also
     * outlived its default lease (see the README), and within a default server's maximum (40 s).
     */
    static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private static final Set<String> PARAMETERS = Set.of("namespace", "sessionTimeout", "connectTimeout", "timeout");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?");

    static ZooKeeperSettings parse(String text, Overrides overrides) {
        BackendUri uri = BackendUri.parse(text, Set.of(SCHEME)).requireOnly(PARAMETERS);
        if (!uri.isHierarchical()) {
            throw uri.invalid("must name its servers: zookeeper://host1:2181,host2:2181/chroot");
        }
        if (uri.user() != null || uri.password() != null) {
            throw uri.invalid("has user info, but this backend does not support ZooKeeper authentication (yet); "
                    + "remove it");
        }
        if (uri.fragment() != null) {
            throw uri.invalid("has a fragment '#" + uri.fragment() + "', which means nothing here; remove it");
        }
        if (uri.hosts().isEmpty()) {
            throw uri.invalid("names no server; write zookeeper://host1:2181,host2:2181");
        }
        List<String> servers = new ArrayList<>();
        for (String host : uri.hosts()) {
            var matcher = HOST_PORT.matcher(host);
            if (!matcher.matches()) {
                throw uri.invalid("has a malformed server '" + host + "'; write host or host:port");
            }
            int port = DEFAULT_PORT;
            if (matcher.group(2) != null) {
                port = Integer.parseInt(matcher.group(2));
                if (port < 1 || port > 65535) {
                    throw uri.invalid("has server '" + host + "' whose port is not within 1..65535");
                }
            }
            servers.add(matcher.group(1) + ":" + port);
        }
        String chroot = uri.path();
        while (chroot.endsWith("/")) {
            chroot = chroot.substring(0, chroot.length() - 1);
        }
        if (!chroot.isEmpty()) {
            try {
                PathUtils.validatePath(chroot);
            } catch (IllegalArgumentException e) {
                throw uri.invalid("has chroot '" + chroot + "', which is not a valid ZooKeeper path: " + e.getMessage(), e);
            }
        }
        // The rule admits no '/', so a namespace is one node and never reaches into another's subtree.
        String namespace = overrides.options.resolveNamespace(uri);
        if (namespace.equals(".") || namespace.equals("..")) {
            throw uri.invalid("has namespace '" + namespace + "', which ZooKeeper cannot take as a node name "
                    + "(a relative path); choose another");
        }
        if (chroot.isEmpty() && namespace.equals("zookeeper")) {
            throw uri.invalid("has namespace 'zookeeper', the node ZooKeeper reserves for itself at the root; "
                    + "choose another, or give a chroot");
        }
        Duration sessionTimeout = overrides.sessionTimeout != null ? overrides.sessionTimeout
                : uri.positiveDuration("sessionTimeout", DEFAULT_SESSION_TIMEOUT);
        Duration connectTimeout = overrides.options.resolveConnectTimeout(uri, DEFAULT_CONNECT_TIMEOUT);
        Duration commandTimeout = overrides.options.resolveTimeout(uri, DEFAULT_COMMAND_TIMEOUT,
                ZooKeeperLockBackend.class, uri.masked());
        for (Duration d : List.of(sessionTimeout, connectTimeout, commandTimeout)) {
            if (d.toMillis() > Integer.MAX_VALUE) {
                throw uri.invalid("has a timeout of " + Durations.format(d) + ", more than ZooKeeper can take");
            }
        }
        return new ZooKeeperSettings(uri.masked(), String.join(",", servers), chroot, namespace, sessionTimeout,
                connectTimeout, commandTimeout);
    }

    /** {@code <chroot>/<namespace>}: every node of this backend lives below it. */
    String base() {
        return chroot + "/" + namespace;
    }

    /** Builder values, null where the URI (or the default) decides. */
    static final class Overrides {
        /** The vocabulary's settings; {@code commandTimeout} is the builder's deprecated word for {@code timeout}. */
        final BackendOptions options = new BackendOptions("commandTimeout", null);
        @Nullable Duration sessionTimeout;
    }
}
