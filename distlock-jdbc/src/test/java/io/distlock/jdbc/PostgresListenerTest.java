package io.distlock.jdbc;

import io.distlock.spi.AcquireRequest;
import io.distlock.testkit.Eventually;
import io.distlock.testkit.RecordingEvents;
import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** The LISTEN connection's own costs, on a private PostgreSQL. */
class PostgresListenerTest {
    @Test
    void notificationsThatArriveNeedNoConnectionCheckEach() {
        try (ServerProcess postgres = PostgresServers.start()) {
            notificationsNeedNoCheck(postgres);
        }
    }

    private static void notificationsNeedNoCheck(ServerProcess postgres) {
        AtomicInteger checks = new AtomicInteger();
        RecordingEvents events = new RecordingEvents();
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setURL(PostgresServers.url(postgres));
        database.setUser(PostgresServers.USER);
        database.setPassword(PostgresServers.PASSWORD);
        // A heartbeat far longer than the releases take (but short, as closing waits out the
        // listener's current wait): any check of the listening connection would be one per wake-up.
        try (JdbcLockBackend listening = JdbcLockBackend.builder(countingChecks(database, checks)).namespace("listener")
                .heartbeat(Duration.ofSeconds(10)).build();
             JdbcLockBackend releasing = JdbcLockBackend.open(PostgresServers.uri(postgres)
                     + "?distlock.namespace=listener&distlock.notifications=false")) {
            listening.start(events);
            // Until the listener is in place a release goes unheard: release until one is heard.
            Eventually.until("the listener hears a release", Duration.ofSeconds(30), () -> {
                acquireAndRelease(releasing, "warm-up");
                return events.released.contains("warm-up");
            });
            for (int i = 0; i < 20; i++) {
                String name = "n" + i;
                acquireAndRelease(releasing, name);
                Eventually.until("the release of " + name + " is heard", Duration.ofSeconds(30),
                        () -> events.released.contains(name));
            }
            assertThat(checks).as("isValid calls on the listening connection while notifications arrived").hasValue(0);
        }
    }

    private static void acquireAndRelease(JdbcLockBackend backend, String name) {
        String owner = "owner-" + System.nanoTime();
        assertThat(backend.tryAcquire(new AcquireRequest(name, owner, Duration.ofSeconds(30), "host", 1, "test",
                Instant.now(), false, Duration.ofMillis(50))).isAcquired()).isTrue();
        assertThat(backend.release(name, owner)).isTrue();
    }

    /** The database, with every connection it hands out counting its isValid calls. */
    private static DataSource countingChecks(DataSource database, AtomicInteger checks) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = database.getConnection();
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().equals("isValid")) {
                                checks.incrementAndGet();
                            }
                            try {
                                return method.invoke(connection, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }

            @Override
            public Connection getConnection(String user, String password) {
                throw new UnsupportedOperationException();
            }

            @Override
            public PrintWriter getLogWriter() throws SQLException {
                return database.getLogWriter();
            }

            @Override
            public void setLogWriter(PrintWriter out) throws SQLException {
                database.setLogWriter(out);
            }

            @Override
            public void setLoginTimeout(int seconds) throws SQLException {
                database.setLoginTimeout(seconds);
            }

            @Override
            public int getLoginTimeout() throws SQLException {
                return database.getLoginTimeout();
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> type) throws SQLException {
                return database.unwrap(type);
            }

            @Override
            public boolean isWrapperFor(Class<?> type) throws SQLException {
                return database.isWrapperFor(type);
            }
        };
    }
}
