package io.distlock.jdbc;

import io.distlock.spi.BackendUri;
import io.distlock.spi.Renamed;
import io.distlock.spi.Secrets;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A {@code jdbc:} backend URI split into what the driver gets (its URL without user info, its own
 * query parameters as connection properties, user and password) and what distlock keeps. distlock's
 * own parameters all start with {@code distlock.}, a prefix no driver uses, so nothing a driver
 * understands is ever taken away from it; they are read with {@link BackendUri}'s typed accessors.
 * After the prefix they are the vocabulary's words, the builder's ({@code distlock.timeout} is
 * {@code timeout}, {@code distlock.notifications} is {@code notifications}); the old
 * {@code distlock.notify} is still read, with a warning.
 */
record JdbcSettings(BackendUri uri, String driverUrl, String subprotocol, @Nullable String user,
                    @Nullable String password, Properties driverProperties) {

    static final String PASSWORD_ENVIRONMENT_VARIABLE = "DISTLOCK_JDBC_PASSWORD";
    static final String PREFIX = "distlock.";
    static final String NAMESPACE = PREFIX + "namespace";
    static final String TABLE = PREFIX + "table";
    static final String TIMEOUT = PREFIX + "timeout";
    static final String CONNECT_TIMEOUT = PREFIX + "connectTimeout";
    static final String HEARTBEAT = PREFIX + "heartbeat";
    static final String RETENTION = PREFIX + "retention";
    static final String POOL_SIZE = PREFIX + "poolSize";
    static final String CREATE_TABLE = PREFIX + "createTable";
    static final String NOTIFICATIONS = PREFIX + "notifications";
    /** The old word for {@link #NOTIFICATIONS}, read for one more minor version. */
    static final String NOTIFY = PREFIX + "notify";
    static final String STRATEGY = PREFIX + "strategy";
    static final Set<String> OWN = Set.of(NAMESPACE, TABLE, TIMEOUT, CONNECT_TIMEOUT, HEARTBEAT, RETENTION, POOL_SIZE, CREATE_TABLE,
            NOTIFICATIONS, NOTIFY, STRATEGY);

    static JdbcSettings parse(String uri) {
        return parse(uri, System.getenv(PASSWORD_ENVIRONMENT_VARIABLE));
    }

    /** {@code environmentPassword}: the value of {@value #PASSWORD_ENVIRONMENT_VARIABLE}, or null. */
    static JdbcSettings parse(String uri, @Nullable String environmentPassword) {
        BackendUri parsed = BackendUri.parse(uri, Set.of("jdbc"));
        for (String key : parsed.parameters().keySet()) {
            if (key.startsWith(PREFIX) && !OWN.contains(key)) {
                throw parsed.invalid("has an unknown parameter '" + key + "'; distlock's own are " + new TreeSet<>(OWN)
                        + " (every other parameter goes to the JDBC driver)");
            }
        }
        String opaque = parsed.opaquePart();
        int colon = opaque == null ? -1 : opaque.indexOf(':');
        if (opaque == null || colon <= 0) {
            throw parsed.invalid("names no database driver; write jdbc:postgresql://host/db, jdbc:mariadb://host/db "
                    + "or jdbc:h2:mem:name");
        }
        String subprotocol = opaque.substring(0, colon).toLowerCase(Locale.ROOT);
        @Nullable String user = null;
        @Nullable String password = null;
        String driverUrl = "jdbc:" + opaque;
        if (opaque.startsWith("//", colon + 1)) {
            BackendUri server = BackendUri.parse(opaque, Set.of(subprotocol));
            user = server.user();
            password = server.password();
            // Drivers do not all read user info, and their messages may echo the URL: it goes as properties.
            int authorityStart = colon + 3;
            int authorityEnd = opaque.length();
            for (char stop : new char[] {'/', '?', '#'}) {
                int at = opaque.indexOf(stop, authorityStart);
                if (at >= 0 && at < authorityEnd) {
                    authorityEnd = at;
                }
            }
            int at = opaque.lastIndexOf('@', authorityEnd - 1);
            if (at >= authorityStart) {
                driverUrl = "jdbc:" + opaque.substring(0, authorityStart) + opaque.substring(at + 1);
            }
        }
        Map<String, String> driverParameters = parsed.parametersExcept(OWN);
        if (user != null && driverParameters.containsKey("user")) {
            throw parsed.invalid("gives the user twice (before the host and as user=); give it once");
        }
        if (password != null && driverParameters.containsKey("password")) {
            throw parsed.invalid("gives the password twice (before the host and as password=); give it once");
        }
        Properties properties = new Properties();
        driverParameters.forEach(properties::setProperty);
        if (password == null && !driverParameters.containsKey("password") && environmentPassword != null
                && !environmentPassword.isEmpty()) {
            password = environmentPassword;
        }
        return new JdbcSettings(parsed, driverUrl, subprotocol, user, password, properties);
    }

    /**
     * The URI's {@value #NOTIFICATIONS} (or its old {@value #NOTIFY}, logging one warning), true when
     * absent.
     *
     * @throws IllegalArgumentException naming both if both are given with different values
     */
    boolean notifications() {
        return new Renamed<Boolean>(NOTIFICATIONS, NOTIFY).from(uri, name -> uri.bool(name, true))
                .resolve(true, JdbcLockBackend.class, uri.masked());
    }

    /** The secret values these settings hold (the password, wherever it came from), for {@link Secrets#maskText}. */
    Set<String> secrets() {
        Set<String> secrets = new LinkedHashSet<>(Secrets.valuesIn(uri.text()));
        if (password != null && !password.isEmpty()) {
            secrets.add(password);
        }
        return Set.copyOf(secrets);
    }

    /** The record's own {@code toString()} would show the password and the URI as given. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        driverProperties.forEach((key, value) -> shown.put(String.valueOf(key),
                Secrets.isSecretName(String.valueOf(key)) ? "***" : String.valueOf(value)));
        return Secrets.maskText("JdbcSettings[uri=" + uri.masked() + ", driverUrl=" + Secrets.mask(driverUrl)
                + ", subprotocol=" + subprotocol + ", user=" + user + ", password=" + (password == null ? null : "***")
                + ", driverProperties=" + shown + "]", secrets());
    }
}
