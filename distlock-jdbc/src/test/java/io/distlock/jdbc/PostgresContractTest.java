package io.distlock.jdbc;

import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.TestBackend;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.Set;

/**
 * The whole contract kit on a private PostgreSQL, through the application's DataSource (one shared
 * HikariCP pool, as an application would have); child JVMs open the URI form, so both ways meet on
 * one table. Every rule applies, LISTEN/NOTIFY wake-ups included.
 */
class PostgresContractTest extends LockContractSuite {
    private static ServerProcess postgres;
    private static HikariDataSource pool;

    @BeforeAll
    static void startPostgres() {
        postgres = TestBackend.POSTGRES.start();
        // Each backend keeps one connection for LISTEN, and with session locks one per held lock:
        // the kit has a dozen managers open at once, and rule 6.1 holds 17 locks in one.
        pool = pool(PostgresServers.url(postgres), PostgresServers.USER, PostgresServers.PASSWORD, 100);
    }

    static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    @AfterAll
    static void stopPostgres() {
        if (pool != null) {
            pool.close();
        }
        if (postgres != null) {
            PostgresServers.stopFast(postgres);
            postgres.close();
        }
    }

    @Override
    protected LockBackend newBackend() {
        return newBackend("kit");
    }

    @Override
    protected LockBackend newBackend(String namespace) {
        // Generous: the kit starts 4 JVMs at once on a 2-core machine; these tests check exclusion, not timeouts.
        return JdbcLockBackend.builder(pool).namespace(namespace).strategy(strategy()).timeout(Duration.ofSeconds(10))
                .build();
    }

    JdbcLockBackend.Strategy strategy() {
        return JdbcLockBackend.Strategy.TABLE;
    }

    @Override
    protected int dropConnections() {
        // Each backend's LISTEN connection is among them, so every backend notices at once.
        return postgres.dropConnections();
    }

    @Override
    protected void restartServer() {
        // Same data directory: the lease table and its token sequence survive. The application's pool
        // would hand out its dead connections once each (it does not re-validate a connection used
        // moments ago), and a backend being built takes no retry: the application drops them.
        PostgresServers.stopFast(postgres);
        postgres.start();
        pool.getHikariPoolMXBean().softEvictConnections();
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of();
    }

    @Override
    protected String backendUri() {
        // A child holds one lock at a time: with session locks, one connection for it and one to spare.
        return PostgresServers.uri(postgres) + "?distlock.strategy=" + strategy().name().toLowerCase(java.util.Locale.ROOT)
                + "&distlock.namespace=kit&distlock.timeout=10s&distlock.connectTimeout=30s&distlock.poolSize="
                + (strategy() == JdbcLockBackend.Strategy.SESSION ? 4 : 2);
    }
}
