package io.distlock.jdbc;

import io.distlock.ListPage;
import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input against real servers: wrong credentials, a missing database, a table of the wrong shape,
 * SQL metacharacters in lock names, list prefixes and pages. Each gives a clear exception or the right
 * behaviour.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcBadInputTest {
    private static final Duration BOUND = Duration.ofSeconds(6);
    private static final int LIST_HELD = 1005;
    private static ServerProcess postgres;
    private static ServerProcess mariadb;

    @BeforeAll
    static void startServers() {
        postgres = PostgresServers.start();
        mariadb = MariaDbServers.start();
    }

    @AfterAll
    static void stopServers() {
        if (postgres != null) {
            PostgresServers.stopFast(postgres);
            postgres.close();
        }
        if (mariadb != null) {
            mariadb.close();
        }
    }

    private static LockBackendException failsWithin(String uri) {
        long start = System.nanoTime();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> JdbcLockBackend.open(uri).close());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
        assertThat(thrown).isInstanceOf(LockBackendException.class);
        return (LockBackendException) thrown;
    }

    @Test
    void wrongPasswordOnPostgres_saysAuthenticationFailed_andNeverShowsThePassword() {
        LockBackendException e = failsWithin("jdbc:postgresql://postgres:Wr0ngPass@127.0.0.1:" + postgres.port()
                + "/postgres?distlock.timeout=1s&distlock.connectTimeout=2s");
        assertThat(e.getMessage()).contains("password authentication failed").contains("check the user and the password")
                .doesNotContain("Wr0ngPass").contains("postgres:***@");
    }

    @Test
    void wrongPasswordOnMariaDb_saysAccessDenied() {
        LockBackendException e = failsWithin("jdbc:mariadb://distlock:Wr0ngPass@127.0.0.1:" + mariadb.port()
                + "/distlock?sslMode=disable&distlock.timeout=1s&distlock.connectTimeout=2s");
        assertThat(e.getMessage()).contains("Access denied").doesNotContain("Wr0ngPass");
    }

    @Test
    void wrongPasswordThroughConnectorJ_saysAccessDenied_andNeverShowsThePassword() {
        LockBackendException inUserInfo = failsWithin("jdbc:mysql://distlock:Wr0ngPass@127.0.0.1:" + mariadb.port()
                + "/distlock?" + MariaDbServers.MYSQL_NO_TLS + "&distlock.timeout=1s&distlock.connectTimeout=2s");
        assertThat(inUserInfo.getMessage()).contains("Access denied").contains("check the user and the password")
                .contains("distlock:***@").doesNotContain("Wr0ngPass");
        assertThat(org.assertj.core.util.Throwables.getRootCause(inUserInfo).getStackTrace())
                .as("thrown by Connector/J, under the pool's exception")
                .anyMatch(frame -> frame.getClassName().startsWith("com.mysql.cj."));
        LockBackendException asParameter = failsWithin("jdbc:mysql://127.0.0.1:" + mariadb.port() + "/distlock?"
                + MariaDbServers.MYSQL_NO_TLS + "&user=distlock&password=Wr0ngPass&distlock.timeout=1s&distlock.connectTimeout=2s");
        assertThat(asParameter.getMessage()).contains("Access denied").contains("password=***").doesNotContain("Wr0ngPass");
    }

    @Test
    void passwordAsAParameterIsMaskedToo() {
        LockBackendException e = failsWithin("jdbc:postgresql://127.0.0.1:" + postgres.port()
                + "/postgres?user=postgres&password=Wr0ngPass&distlock.timeout=1s&distlock.connectTimeout=2s");
        assertThat(e.getMessage()).contains("password=***").doesNotContain("Wr0ngPass");
    }

    @Test
    void missingDatabase_saysItDoesNotExist() {
        assertThat(failsWithin(PostgresServers.uri(postgres) + "_nope?distlock.timeout=1s&distlock.connectTimeout=2s").getMessage())
                .contains("does not exist");
        assertThat(failsWithin("jdbc:mariadb://distlock:secret@127.0.0.1:" + mariadb.port()
                + "/nope?sslMode=disable&distlock.timeout=1s&distlock.connectTimeout=2s").getMessage()).contains("Unknown database");
    }

    @Test
    void nothingListening_failsWithinTheTimeout() {
        failsWithin("jdbc:postgresql://postgres:x@127.0.0.1:" + ServerProcess.freePort() + "/postgres?distlock.timeout=1s&distlock.connectTimeout=2s");
        failsWithin("jdbc:mariadb://u:x@127.0.0.1:" + ServerProcess.freePort() + "/x?distlock.timeout=1s&distlock.connectTimeout=2s");
        assertThat(failsWithin("jdbc:mysql://u:Pw-x1@127.0.0.1:" + ServerProcess.freePort()
                + "/x?distlock.timeout=1s&distlock.connectTimeout=2s").getMessage())
                .contains("Connection refused").contains("u:***@").doesNotContain("Pw-x1");
    }

    @Test
    void aMySqlPathTableWithoutItsCounterIsRefused_namingTheScript() throws Exception {
        String uri = MariaDbServers.mysqlUri(mariadb) + "&distlock.table=no_counter";
        JdbcLockBackend.open(uri).close();
        try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM no_counter_token_seq");
        }
        assertThatThrownBy(() -> JdbcLockBackend.open(uri + "&distlock.createTable=false"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("the token counter no_counter_token_seq has no row with id = 1")
                .hasMessageContaining("schema-mysql.sql");
        try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE no_counter_token_seq");
        }
        assertThatThrownBy(() -> JdbcLockBackend.open(uri + "&distlock.createTable=false"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("the token counter no_counter_token_seq does not exist")
                .hasMessageContaining("schema-mysql.sql");
        // With createTable on (the default), the script makes the counter again, and it counts on.
        try (LockManager locks = LockManager.builder(JdbcLockBackend.open(uri)).build();
             Lock lock = locks.acquire("after", LockOptions.tryOnce())) {
            assertThat(lock.token()).isPositive();
        }
    }

    /**
     * One MariaDB server reached through both drivers: MariaDB's takes tokens from a SEQUENCE, MySQL
     * Connector/J from a counter table, both named {@code <table>_token_seq}. A table made through
     * one is refused through the other, naming the driver to use, before anything is written.
     */
    @Test
    void aTableIsRefusedThroughTheDriverWhoseTokensComeFromElsewhere() {
        JdbcLockBackend.open(MariaDbServers.uri(mariadb) + "&distlock.table=made_by_mariadb").close();
        assertThatThrownBy(() -> JdbcLockBackend.open(MariaDbServers.mysqlUri(mariadb) + "&distlock.table=made_by_mariadb"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("made_by_mariadb_token_seq")
                .hasMessageContaining("use jdbc:mariadb:// for this table")
                .hasMessageNotContaining(MariaDbServers.PASSWORD);

        JdbcLockBackend.open(MariaDbServers.mysqlUri(mariadb) + "&distlock.table=made_by_mysql").close();
        assertThatThrownBy(() -> JdbcLockBackend.open(MariaDbServers.uri(mariadb) + "&distlock.table=made_by_mysql"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("made_by_mysql_token_seq in ")
                .hasMessageContaining("is a table, not the SEQUENCE")
                .hasMessageContaining("use jdbc:mysql:// for this table")
                .hasMessageNotContaining(MariaDbServers.PASSWORD);
    }

    /**
     * Clients starting together on a table that does not exist yet all create it at once (the
     * script's every statement may run twice), then draw from the one counter: no failure, one
     * counter row, and no token handed out twice.
     */
    @Test
    void mySqlPathClientsStartingAtOnceShareOneTableAndOneCounter() throws Exception {
        String uri = MariaDbServers.mysqlUri(mariadb) + "&distlock.table=started_together";
        int clients = 4;
        int rounds = 15;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(clients);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try {
            List<java.util.concurrent.Future<List<Long>>> drawn = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                drawn.add(threads.submit(() -> {
                    start.await();
                    List<Long> tokens = new ArrayList<>();
                    try (LockManager locks = LockManager.builder(JdbcLockBackend.open(uri)).build()) {
                        for (int r = 0; r < rounds; r++) {
                            // One name shared by all, one of each client's own: the counter serves both.
                            for (String name : List.of("shared", "own-" + client)) {
                                try (Lock lock = locks.acquire(name, LockOptions.builder()
                                        .timeout(Duration.ofSeconds(30)).build())) {
                                    tokens.add(lock.token());
                                }
                            }
                        }
                    }
                    return tokens;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (var tokens : drawn) {
                all.addAll(tokens.get(90, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(clients * rounds * 2).doesNotHaveDuplicates();
        } finally {
            threads.shutdownNow();
        }
        try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*), MAX(last_token) FROM started_together_token_seq")) {
            rows.next();
            assertThat(rows.getInt(1)).as("counter rows").isEqualTo(1);
            assertThat(rows.getLong(2)).as("every token drawn once").isEqualTo(clients * rounds * 2L);
        }
    }

    /**
     * Issue 23: no password, and a server that is down, each answered with what to do (a PostgreSQL
     * that was down printed HikariCP's pool state: "Connection is not available, request timed out
     * after 5008ms (total=0, active=0, idle=0, waiting=0)").
     */
    @Test
    void noPasswordAndNoServerSayWhatToDo() {
        String settings = "distlock.timeout=1s&distlock.connectTimeout=2s";
        for (String uri : List.of("jdbc:postgresql://postgres@127.0.0.1:" + postgres.port() + "/postgres?" + settings,
                "jdbc:mariadb://distlock@127.0.0.1:" + mariadb.port() + "/distlock?sslMode=disable&" + settings)) {
            assertThat(failsWithin(uri).getMessage()).as(uri)
                    .contains("the server wants a password and none was given: set DISTLOCK_JDBC_PASSWORD")
                    .doesNotContain("\n");
        }
        String postgresDown = failsWithin("jdbc:postgresql://postgres:x@127.0.0.1:" + ServerProcess.freePort()
                + "/postgres?" + settings).getMessage();
        assertThat(postgresDown).contains("refused", "Check that the hostname and port are correct")
                .doesNotContain("Connection is not available", "total=", "\n");
        String mariadbDown = failsWithin("jdbc:mariadb://u:x@127.0.0.1:" + ServerProcess.freePort() + "/x?" + settings)
                .getMessage();
        assertThat(mariadbDown).contains("Connection refused", "nothing accepts connections at the URI's host and port: "
                + "start the database server there").doesNotContain("Connection is not available", "total=", "\n");
    }

    @Test
    void aTableOfTheWrongShapeIsRefusedSayingWhatIsWrong() throws Exception {
        try (Connection connection = PostgresServers.connect(postgres); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE wrong_shape (ns VARCHAR(100), name VARCHAR(100), owner INTEGER, "
                    + "PRIMARY KEY (name))");
        }
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.table=wrong_shape"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("wrong_shape")
                .hasMessageContaining("column 'name' is varchar but must be a variable-length binary type")
                .hasMessageContaining("column 'owner' is int4 but must be a character type")
                .hasMessageContaining("column 'token' is missing")
                .hasMessageContaining("schema-postgresql.sql");

        try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE wrong_key (ns VARCHAR(100) NOT NULL, name VARBINARY(1024) NOT NULL, "
                    + "owner VARCHAR(200) NOT NULL, token BIGINT NOT NULL, host VARCHAR(255) NOT NULL, pid BIGINT NOT NULL, "
                    + "thread VARCHAR(1000) NOT NULL, acquired_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, "
                    + "PRIMARY KEY (name))");
        }
        assertThatThrownBy(() -> JdbcLockBackend.open(MariaDbServers.uri(mariadb) + "&distlock.table=wrong_key"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("primary key is [name] but must be (ns, name)");
    }

    @Test
    void aMissingTableWithCreateTableOffNamesTheScript() {
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres)
                + "?distlock.table=not_there&distlock.createTable=false"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("table not_there does not exist")
                .hasMessageContaining("schema-postgresql.sql");
    }

    @Test
    void badTableNamesAndUnknownParametersAreRefusedNamingThem() {
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.table=x;drop%20table%20y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x;drop table y")
                .hasMessageContaining("postgres:***@");
        assertThatThrownBy(() -> JdbcLockBackend.builder(PostgresServers.uri(postgres)).table("Locks"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Locks'");
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.tabel=x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'distlock.tabel'")
                .hasMessageContaining("distlock.table");
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.timeout=soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distlock.timeout=soon");
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.heartbeat=400d"))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("distlock.heartbeat=400d")
                .hasMessageContaining("365 days");
        assertThatThrownBy(() -> JdbcLockBackend.builder(PostgresServers.uri(postgres)).retention(Duration.ofDays(366)))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention")
                .hasMessageContaining("365 days");
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.namespace=a%20b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a b'");
        assertThatThrownBy(() -> JdbcLockBackend.open("jdbc:"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no database driver");
    }

    @Test
    void sqlMetacharactersInNamesAreData_onPostgres() throws Exception {
        metacharacters(PostgresServers.uri(postgres) + "?distlock.table=meta");
        try (Connection connection = PostgresServers.connect(postgres); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM meta")) {
            assertThat(rows.next()).isTrue();
        }
    }

    @Test
    void sqlMetacharactersInNamesAreData_onMariaDb() throws Exception {
        metacharacters(MariaDbServers.uri(mariadb) + "&distlock.table=meta");
        try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM meta")) {
            assertThat(rows.next()).isTrue();
        }
    }

    @Test
    void sqlMetacharactersInNamesAreData_withSessionLocks() throws Exception {
        // One connection per held lock: the helper holds 18 at once.
        metacharacters(PostgresServers.uri(postgres) + "?distlock.table=meta_session&distlock.strategy=session"
                + "&distlock.poolSize=24");
        metacharacters(MariaDbServers.uri(mariadb) + "&distlock.table=meta_session&distlock.strategy=session"
                + "&distlock.poolSize=24");
        try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM meta_session")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).as("one row per name, stored as data").isEqualTo(18);
        }
    }

    @Test
    void sqlMetacharactersInNamesAreData_throughConnectorJ_inBothStrategies() throws Exception {
        metacharacters(MariaDbServers.mysqlUri(mariadb) + "&distlock.table=meta_mysql");
        metacharacters(MariaDbServers.mysqlUri(mariadb) + "&distlock.table=meta_mysql_session&distlock.strategy=session"
                + "&distlock.poolSize=24");
        try (Connection connection = MariaDbServers.connect(mariadb); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT (SELECT count(*) FROM meta_mysql), "
                     + "(SELECT count(*) FROM meta_mysql_session)")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).as("one row per name, stored as data").isEqualTo(18);
            assertThat(rows.getInt(2)).as("one row per name, stored as data").isEqualTo(18);
        }
    }

    @Test
    void sessionLocksAreRefusedOnH2_sayingWhy() {
        assertThatThrownBy(() -> JdbcLockBackend.open("jdbc:h2:mem:session-refused;DB_CLOSE_DELAY=-1?distlock.strategy=session"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strategy session is not available on H2")
                .hasMessageContaining("use strategy table");
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:session-refused-builder;DB_CLOSE_DELAY=-1");
        assertThatThrownBy(() -> JdbcLockBackend.builder(h2).strategy(JdbcLockBackend.Strategy.SESSION).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("H2 has no session locks");
    }

    @Test
    void anUnknownStrategyIsRefusedNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.strategy=advisory"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distlock.strategy=advisory")
                .hasMessageContaining("table")
                .hasMessageContaining("session")
                .hasMessageContaining("postgres:***@");
        assertThatThrownBy(() -> JdbcLockBackend.open(PostgresServers.uri(postgres) + "?distlock.strategy="))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distlock.strategy");
        assertThatThrownBy(() -> JdbcLockBackend.builder(PostgresServers.uri(postgres)).strategy(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("strategy");
    }

    @Test
    void sessionLocksBeyondThePoolFailClearly_andLeaveHeldLocksAlone() {
        // Two connections, both taken by the two held locks.
        try (LockManager locks = LockManager.builder(JdbcLockBackend.open(MariaDbServers.uri(mariadb)
                + "&distlock.table=pool_session&distlock.strategy=session&distlock.poolSize=2&distlock.connectTimeout=1s"))
                .build()) {
            Lock first = locks.acquire("pool-1");
            Lock second = locks.acquire("pool-2");
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.acquire("pool-3", LockOptions.tryOnce()))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("every connection of the pool is in use")
                    .hasMessageContaining("distlock.poolSize");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
            assertThat(first.isHeld()).as("an exhausted pool is not a lost database: nothing suspended").isTrue();
            assertThat(second.isHeld()).isTrue();
            assertThat(second.release()).isTrue();
            assertThat(first.verify()).isTrue();
            assertThat(first.release()).isTrue();
        }
    }

    private static void metacharacters(String uri) {
        List<String> names = List.of("'; DROP TABLE meta; --", "' OR '1'='1", "\"quoted\"", "back\\slash", "$$dollar$$",
                "semi;colon", "percent%", "under_score", "perc", "underXscore", "a'b", "a''b", "`tick`", "/* c */",
                "trailing space ", "trailing space", "Case", "case");
        try (LockManager first = LockManager.builder(JdbcLockBackend.open(uri)).build();
             LockManager second = LockManager.builder(JdbcLockBackend.open(uri)).build()) {
            List<Lock> held = new ArrayList<>();
            for (String name : names) {
                Lock lock = first.acquire(name, LockOptions.tryOnce());
                held.add(lock);
            }
            for (String name : names) {
                assertThat(second.tryAcquire(name)).as("'%s' is held", name).isEmpty();
                assertThat(second.inspect(name)).map(LockInfo::name).contains(name);
            }
            // LIKE wildcards in a prefix match themselves only.
            assertThat(second.list("percent%")).extracting(LockInfo::name).containsExactly("percent%");
            assertThat(second.list("under_")).extracting(LockInfo::name).containsExactly("under_score");
            assertThat(second.list("trailing space ")).extracting(LockInfo::name).containsExactly("trailing space ");
            held.forEach(Lock::release);
            for (String name : names) {
                assertThat(second.inspect(name)).as("'%s' released", name).isEmpty();
            }
        }
    }

    @Test
    void listPagesPastTheFirstThousandRows_h2() {
        pages("jdbc:h2:mem:list-pages;DB_CLOSE_DELAY=-1");
    }

    @Test
    void listPagesPastTheFirstThousandRows_postgresql() {
        pages(PostgresServers.uri(postgres) + "?distlock.table=list_pages");
    }

    @Test
    void listPagesPastTheFirstThousandRows_mariadb() {
        pages(MariaDbServers.uri(mariadb) + "&distlock.table=list_pages");
    }

    /**
     * {@code list(prefix, limit)} past the first page of rows (1000): the keyset paging's next page
     * starts after the last name read, so nothing is read twice or skipped.
     */
    private static void pages(String uri) {
        List<String> names = IntStream.range(0, LIST_HELD).mapToObj(i -> String.format("page/%04d", i)).toList();
        try (LockManager holder = LockManager.builder(JdbcLockBackend.open(uri)).build();
             LockManager viewer = LockManager.builder(JdbcLockBackend.open(uri)).build()) {
            List<Lock> held = new ArrayList<>();
            for (String name : names) {
                held.add(holder.acquire(name, LockOptions.tryOnce()));
            }
            held.add(holder.acquire("page0", LockOptions.tryOnce()));
            held.add(holder.acquire("pagf", LockOptions.tryOnce()));

            ListPage all = viewer.list("page/", LIST_HELD);
            assertThat(all.truncated()).isFalse();
            assertThat(all.locks()).extracting(LockInfo::name).containsExactlyElementsOf(names);
            ListPage cut = viewer.list("page/", LIST_HELD - 1);
            assertThat(cut.truncated()).isTrue();
            assertThat(cut.locks()).extracting(LockInfo::name).containsExactlyElementsOf(names.subList(0, LIST_HELD - 1));
            assertThat(viewer.list("", Integer.MAX_VALUE).locks()).hasSize(LIST_HELD + 2);
            assertThat(viewer.list("", LIST_HELD + 1).truncated()).isTrue();
            held.forEach(Lock::release);
        }
    }
}
