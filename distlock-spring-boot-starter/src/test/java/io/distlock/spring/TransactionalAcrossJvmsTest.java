package io.distlock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.distlock.testkit.ChildJvm;
import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code @Transactional} and {@code @DistributedLock} on one method, in two application JVMs on a
 * private PostgreSQL: the lock must be taken before the transaction begins and released after it
 * commits, whether the application enables transactions itself or leaves it to Boot. Were the
 * transaction outside the lock, the next holder would read the balance before the last holder's
 * commit (PostgreSQL's default isolation, read committed) and additions would be lost: before the
 * starter ordered its advisor, the {@code enable} case came out hundreds short.
 */
class TransactionalAcrossJvmsTest {
    private static final int THREADS = 3;
    private static final int ADDITIONS = 40;
    private static ServerProcess postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() {
        postgres = TestBackend.POSTGRES.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"enable", "auto"})
    void theLockWrapsTheTransactionSoNoAdditionIsLost(String transactions) throws Exception {
        try (Connection connection = PostgresServers.connect(postgres); Statement sql = connection.createStatement()) {
            sql.execute("DROP TABLE IF EXISTS balance");
            sql.execute("CREATE TABLE balance (id INT PRIMARY KEY, amount INT NOT NULL)");
            sql.execute("INSERT INTO balance VALUES (1, 0)");
        }
        Path locks = Files.createDirectories(dir.resolve("locks"));
        String[] args = {transactions, locks.toString(), PostgresServers.url(postgres), PostgresServers.USER,
                PostgresServers.PASSWORD, String.valueOf(THREADS), String.valueOf(ADDITIONS)};
        try (ChildJvm first = ChildJvm.start(TransferApp.class, dir.resolve("first.log"), args);
             ChildJvm second = ChildJvm.start(TransferApp.class, dir.resolve("second.log"), args)) {
            first.awaitLine("done");
            second.awaitLine("done");
            assertThat(first.awaitExit(Duration.ofSeconds(30))).as("first JVM exit, stderr: %s", first.stderr()).isZero();
            assertThat(second.awaitExit(Duration.ofSeconds(30))).as("second JVM exit, stderr: %s", second.stderr()).isZero();
        }
        try (Connection connection = PostgresServers.connect(postgres); Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT amount FROM balance WHERE id = 1")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getInt(1)).as("the balance after %d additions in two JVMs (%s)", 2 * THREADS * ADDITIONS,
                    transactions).isEqualTo(2 * THREADS * ADDITIONS);
        }
    }
}
