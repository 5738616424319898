package io.distlock.spring;

import io.distlock.testkit.server.TestBackend;
import com.zaxxer.hikari.HikariDataSource;
import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.jdbc.JdbcLockBackend;
import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL backend in real application contexts: {@code distlock.uri=jdbc:} on the DataSource that
 * Spring Boot's own auto-configuration makes (H2 in memory, and a private PostgreSQL from
 * distlock-jdbc's test fixtures), a whole JDBC URL on a pool of distlock's own, and bad settings.
 */
class StarterJdbcTest {
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

    /** An application with Spring Boot's DataSource (and SQL script) auto-configuration, and ours. */
    private static ApplicationContextRunner application(String... properties) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSources.AUTO_CONFIGURATIONS))
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                .withPropertyValues("accounts.prefix=acct")
                .withPropertyValues(properties);
    }

    private static ApplicationContextRunner onH2(String... properties) {
        return application("spring.datasource.url=jdbc:h2:mem:app-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "distlock.uri=jdbc:").withPropertyValues(properties);
    }

    private static ApplicationContextRunner onPostgres(String... properties) {
        return application("spring.datasource.url=" + PostgresServers.url(postgres),
                "spring.datasource.username=" + PostgresServers.USER,
                "spring.datasource.password=" + PostgresServers.PASSWORD,
                "distlock.uri=jdbc:").withPropertyValues(properties);
    }

    @Test
    void jdbcAloneLocksInTheApplicationsH2DatabaseAndNeverClosesItsPool() {
        onH2("distlock.namespace=billing", "distlock.jdbc.table=app_locks").withBean(Accounts.class).run(context -> {
            DataSource application = context.getBean(DataSource.class);
            assertThat(application).as("Spring Boot's own pool").isInstanceOf(HikariDataSource.class);
            LockManager locks = context.getBean(LockManager.class);
            assertThat(locks.describe()).startsWith("jdbc ").contains("h2:mem:app-").contains("table app_locks")
                    .contains("namespace billing");
            try (Lock held = locks.acquire("invoice-run")) {
                assertThat(tokens(application, "app_locks", "billing", "invoice-run"))
                        .as("the lock's row, read through the application's own DataSource").containsExactly(held.token());
                try (LockManager other = LockManager.builder(JdbcLockBackend.builder(application).namespace("billing")
                        .table("app_locks").build()).build()) {
                    assertThat(other.tryAcquire("invoice-run")).as("another manager on the same database").isEmpty();
                }
            }
            Accounts accounts = context.getBean(Accounts.class);
            Exclusion.check(accounts, locks, "account:",
                    (id, entered, proceed) -> accounts.post(new Accounts.Account(id), entered, proceed));

            locks.close();
            assertThat(((HikariDataSource) application).isClosed()).as("the application's pool stays open").isFalse();
            try (Connection connection = application.getConnection()) {
                assertThat(connection.isValid(2)).isTrue();
            }
        });
    }

    @Test
    void twoApplicationsOnOnePostgresDatabaseExcludeEachOtherAndClosingReleasesBeforeThePoolCloses() throws Exception {
        long[] token = new long[1];
        onPostgres("distlock.namespace=shop").run(first -> {
            LockManager firstLocks = first.getBean(LockManager.class);
            assertThat(firstLocks.describe()).contains("127.0.0.1:" + postgres.port()).contains("namespace shop");
            Lock held = firstLocks.acquire("nightly");
            token[0] = held.token();
            try (Connection own = PostgresServers.connect(postgres)) {
                assertThat(tokens(own, "distlock_locks", "shop", "nightly")).as("the row in the application's database")
                        .containsExactly(held.token());
            }
            onPostgres("distlock.namespace=shop").run(second -> {
                LockManager secondLocks = second.getBean(LockManager.class);
                assertThat(secondLocks.tryAcquire("nightly")).as("held by the other application").isEmpty();
                assertThat(secondLocks.inspect("nightly")).map(LockInfo::token).contains(held.token());
            });
            assertThat(held.isHeld()).as("the second application's close did not touch it").isTrue();
        });
        // The first context closed its manager (which released the lock) before Boot closed the pool.
        try (LockManager after = LockManager.builder(JdbcLockBackend.open(TestBackend.POSTGRES.uri(postgres)
                + "?distlock.namespace=shop")).build()) {
            assertThat(after.inspect("nightly")).as("released when the context closed").isEmpty();
            Optional<Lock> again = after.tryAcquire("nightly");
            assertThat(again).isPresent();
            assertThat(again.get().token()).isGreaterThan(token[0]);
            again.get().close();
        }
    }

    @Test
    void sessionLocksOnTheApplicationsPostgresPoolExcludeAcrossApplications() {
        onPostgres("distlock.namespace=sessions", "distlock.jdbc.strategy=session").run(first -> {
            LockManager firstLocks = first.getBean(LockManager.class);
            assertThat(firstLocks.describe()).contains("session locks");
            try (Lock held = firstLocks.acquire("report")) {
                onPostgres("distlock.namespace=sessions", "distlock.jdbc.strategy=SESSION").run(second ->
                        assertThat(second.getBean(LockManager.class).tryAcquire("report")).isEmpty());
                assertThat(held.verify()).isTrue();
            }
        });
    }

    @Test
    void aWholeJdbcUrlBuildsItsOwnPoolWithTheNamespaceAndTableProperties() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                .withPropertyValues("distlock.uri=" + TestBackend.POSTGRES.uri(postgres), "distlock.namespace=orders",
                        "distlock.jdbc.table=order_locks", "distlock.jdbc.notifications=false")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(DataSource.class);
                    LockManager locks = context.getBean(LockManager.class);
                    assertThat(locks.describe()).contains("table order_locks").contains("namespace orders")
                            .doesNotContain(PostgresServers.PASSWORD);
                    try (Lock held = locks.acquire("batch"); Connection own = PostgresServers.connect(postgres)) {
                        assertThat(tokens(own, "order_locks", "orders", "batch"))
                                .as("distlock.namespace reaches the backend, not the JDBC driver").containsExactly(held.token());
                    }
                });
    }

    @Test
    void theLockTableMayComeFromTheApplicationsOwnSchemaScripts() {
        // The table made by spring.sql.init from the script distlock-jdbc ships, before the manager
        // starts: with create-table off, a manager made first would find no table.
        onH2("distlock.jdbc.create-table=false", "spring.sql.init.mode=always",
                "spring.sql.init.schema-locations=classpath:io/distlock/jdbc/schema-h2.sql").run(context -> {
                    assertThat(context).hasNotFailed();
                    try (Lock held = context.getBean(LockManager.class).acquire("from-script")) {
                        assertThat(tokens(context.getBean(DataSource.class), "distlock_locks", "distlock", "from-script"))
                                .containsExactly(held.token());
                    }
                });
        onH2("distlock.jdbc.create-table=false").run(context ->
                assertThat(StarterTest.messages(context.getStartupFailure())).contains("distlock_locks"));
    }

    @Test
    void aLockTakenInsideTheApplicationsTransactionIsCommittedAtOnceOnItsOwnConnection() {
        onH2().run(context -> {
            DataSource application = context.getBean(DataSource.class);
            LockManager locks = context.getBean(LockManager.class);
            TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(application));
            transaction.executeWithoutResult(status -> {
                try (Lock held = locks.acquire("in-transaction");
                     Connection elsewhere = application.getConnection()) {
                    assertThat(tokens(elsewhere, "distlock_locks", "distlock", "in-transaction"))
                            .as("visible to another connection before the transaction ends").containsExactly(held.token());
                    status.setRollbackOnly();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(locks.inspect("in-transaction")).as("released, and the rollback undid nothing of distlock's")
                    .isEmpty();
            assertThat(tokens(application, "distlock_locks", "distlock", "in-transaction")).hasSize(1);
        });
    }

    @Test
    void badSqlSettingsStopTheContextNamingTheProperty() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                .withPropertyValues("distlock.uri=jdbc:").run(context ->
                        assertThat(StarterTest.messages(context.getStartupFailure())).contains("distlock.uri")
                                .contains("no single DataSource bean"));
        onH2("distlock.jdbc.table=Bad-Table").run(context ->
                assertThat(StarterTest.messages(context.getStartupFailure())).contains("distlock.jdbc.table")
                        .contains("Bad-Table"));
        onH2("distlock.jdbc.timeout=soon").run(context ->
                assertThat(StarterTest.messages(context.getStartupFailure())).contains("distlock.jdbc.timeout")
                        .contains("soon"));
        onH2("distlock.jdbc.retention=10s").run(context ->
                assertThat(StarterTest.messages(context.getStartupFailure())).contains("distlock.jdbc.retention")
                        .contains("at least 1 minute"));
        onH2("distlock.jdbc.strategy=sometimes").run(context ->
                assertThat(StarterTest.messages(context.getStartupFailure())).contains("distlock.jdbc.strategy")
                        .contains("sometimes"));
        onH2("distlock.namespace=has space").run(context ->
                assertThat(StarterTest.messages(context.getStartupFailure())).contains("distlock.namespace")
                        .contains("has space"));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                .withPropertyValues("distlock.uri=" + TestBackend.POSTGRES.uri(postgres) + "?distlock.namespace=a",
                        "distlock.namespace=b").run(context -> {
                            String messages = StarterTest.messages(context.getStartupFailure());
                            assertThat(messages).contains("distlock.namespace 'b'").contains("set it in one place")
                                    .doesNotContain(PostgresServers.PASSWORD);
                        });
        // The URL's notifications under either of its words (distlock.notify is the deprecated one).
        for (String inUrl : new String[] {"distlock.notifications=true", "distlock.notify=true"}) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                    .withPropertyValues("distlock.uri=" + TestBackend.POSTGRES.uri(postgres) + "?" + inUrl,
                            "distlock.jdbc.notifications=false").run(context ->
                            assertThat(StarterTest.messages(context.getStartupFailure()))
                                    .contains("distlock.jdbc.notifications 'false'").contains(inUrl)
                                    .contains("set it in one place"));
        }
    }

    @Test
    void theSqlConfigurationIsThereOnlyWithDistlockJdbcOnTheClassPath() {
        ApplicationContextRunner file = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                .withPropertyValues("distlock.uri=file:" + dir);
        file.run(context -> assertThat(context.getBeansOfType(BackendOpener.class)).hasSize(1));
        file.withClassLoader(new FilteredClassLoader("io.distlock.jdbc")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeansOfType(BackendOpener.class)).isEmpty();
            assertThat(context.getBean(LockManager.class).describe()).contains(dir.toString());
        });
    }

    // ---------------------------------------------------------------- helpers

    private static List<Long> tokens(DataSource dataSource, String table, String namespace, String name) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return tokens(connection, table, namespace, name);
        }
    }

    /** The tokens of the rows of {@code name}'s lock in {@code table} (names are stored as UTF-8 bytes). */
    private static List<Long> tokens(Connection connection, String table, String namespace, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT token FROM " + table + " WHERE ns = ? AND name = ?")) {
            select.setString(1, namespace);
            select.setBytes(2, name.getBytes(StandardCharsets.UTF_8));
            List<Long> tokens = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    tokens.add(rows.getLong(1));
                }
            }
            return tokens;
        }
    }
}
