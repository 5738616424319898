package io.distlock.jdbc;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The only class that touches the PostgreSQL driver's own API, so the others load without it (an
 * application on MariaDB need not ship the PostgreSQL driver).
 */
final class PgNotifications {
    private PgNotifications() {
    }

    /** Payloads of the notifications on {@code channel} that arrive within {@code wait}; fails when the connection is broken. */
    static List<String> await(Connection listening, String channel, Duration wait) throws SQLException {
        PGNotification[] notifications = listening.unwrap(PGConnection.class)
                .getNotifications((int) Math.max(1, wait.toMillis()));
        List<String> payloads = new ArrayList<>();
        if (notifications != null) {
            for (PGNotification notification : notifications) {
                if (channel.equals(notification.getName())) {
                    payloads.add(notification.getParameter());
                }
            }
        }
        return payloads;
    }
}
