package io.distlock.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/**
 * The whole contract kit on a private PostgreSQL with session locks (advisory locks, one connection
 * per held lock), through the application's DataSource; child JVMs open the URI form. Every rule
 * applies, LISTEN/NOTIFY wake-ups included.
 */
class PostgresSessionContractTest extends LockContractSuite {
    private static ServerProcess postgres;
    private static HikariDataSource pool;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServers.start();
        // A connection per held lock on top of the LISTEN ones: rule 6.1 alone holds 17 locks at once.
        pool = PostgresContractTest.pool(PostgresServers.url(postgres), PostgresServers.USER, PostgresServers.PASSWORD,
                100);
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
        return JdbcLockBackend.builder(pool).namespace(namespace).strategy(JdbcLockBackend.Strategy.SESSION)
                .timeout(Duration.ofSeconds(10)).build();
    }

    @Override
    protected String backendUri() {
        return PostgresServers.uri(postgres) + "?distlock.strategy=session&distlock.namespace=kit&distlock.timeout=10s"
                + "&distlock.connectTimeout=30s&distlock.poolSize=4";
    }
}
