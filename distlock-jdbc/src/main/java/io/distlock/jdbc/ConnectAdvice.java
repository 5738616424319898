package io.distlock.jdbc;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * What to do about the failures people meet first: a database that is down or elsewhere, no
 * password or a wrong one, a database that does not exist, an H2 file another process has open.
 * The hint goes after the driver's own message, in brackets; the driver's words stay, since they
 * are what a search finds.
 */
final class ConnectAdvice {
    private ConnectAdvice() {
    }

    /**
     * The driver's failure inside HikariCP's "Connection is not available, request timed out after
     * 5008ms (total=0, active=0, idle=0, waiting=0)", which tells the pool's state, not the reason;
     * {@code failure} itself otherwise.
     */
    static Throwable withoutPoolState(Throwable failure) {
        if (failure instanceof SQLTransientConnectionException && failure.getCause() != null
                && String.valueOf(failure.getMessage()).contains("Connection is not available")) {
            return failure.getCause();
        }
        return failure;
    }

    /**
     * A hint for {@code failure} (whose chain's first SQL state is {@code state}, and whose text so far
     * is {@code text}), or null.
     */
    static @Nullable String hint(Throwable failure, @Nullable String state, String text) {
        String password = JdbcSettings.PASSWORD_ENVIRONMENT_VARIABLE;
        if (text.contains("no password was provided") || text.contains("using password: NO")) {
            return "the server wants a password and none was given: set " + password + ", or give it in the URI "
                    + "(USER:PASSWORD@ before the host, or the password parameter)";
        }
        if (state != null && state.startsWith("28")) {
            return "check the user and the password (URI, password= or " + password + ")";
        }
        if ("3D000".equals(state) || ("42000".equals(state) && text.contains("Unknown database"))) {
            return "the database named in the URI does not exist";
        }
        if ("90020".equals(state) || text.contains("Database may be already in use")) {
            return "another process has this H2 database file open, and an embedded H2 database is for one process "
                    + "at a time: add ;AUTO_SERVER=TRUE to the URL in every process that shares it, or use an H2 "
                    + "server (jdbc:h2:tcp://host/path)";
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException && !text.contains("Check that the hostname and port are correct")) {
                return "nothing accepts connections at the URI's host and port: start the database server there, "
                        + "or correct the host and port";
            }
            if (t instanceof UnknownHostException) {
                return "the URI's host name is not known: check it";
            }
        }
        return null;
    }
}
