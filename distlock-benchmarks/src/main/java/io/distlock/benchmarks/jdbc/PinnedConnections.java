package io.distlock.benchmarks.jdbc;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One connection per thread, borrowed from the pool once and kept until {@link #close()}: the
 * same statements without a pool borrow and return around each, to tell what the pool costs.
 */
final class PinnedConnections implements RawLeaseClient.Connections, AutoCloseable {
    private final DataSource pool;
    private final ThreadLocal<Connection> pinned = new ThreadLocal<>();
    private final List<Connection> borrowed = new CopyOnWriteArrayList<>();

    PinnedConnections(DataSource pool) {
        this.pool = pool;
    }

    /** This thread's connection; closing it does nothing. */
    @Override
    public Connection get() throws SQLException {
        Connection connection = pinned.get();
        if (connection == null) {
            Connection real = pool.getConnection();
            borrowed.add(real);
            connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            pinned.set(connection);
        }
        return connection;
    }

    @Override
    public void close() throws SQLException {
        for (Connection connection : borrowed) {
            connection.close();
        }
    }
}
