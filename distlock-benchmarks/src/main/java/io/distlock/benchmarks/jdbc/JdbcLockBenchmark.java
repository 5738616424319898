package io.distlock.benchmarks.jdbc;

import io.distlock.testkit.server.TestBackend;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.distlock.LockManager;
import io.distlock.benchmarks.harness.ComparisonTable;
import io.distlock.benchmarks.harness.Contender;
import io.distlock.benchmarks.harness.CpuTime;
import io.distlock.benchmarks.harness.DistlockClient;
import io.distlock.benchmarks.harness.HandOffPeer;
import io.distlock.benchmarks.harness.Reports;
import io.distlock.benchmarks.harness.Result;
import io.distlock.benchmarks.harness.Rounds;
import io.distlock.benchmarks.harness.Scenario;
import io.distlock.benchmarks.harness.Slice;
import io.distlock.benchmarks.harness.Windows;
import io.distlock.jdbc.JdbcLockBackend;
import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.ServerProcess;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * distlock-jdbc's lease table on PostgreSQL against the same statements written by hand and
 * against Spring Integration's JdbcLockRegistry, and PostgreSQL's hand-off latency with and
 * without LISTEN/NOTIFY, all on one private PostgreSQL server that this benchmark starts on a free
 * loopback port (never the machine's own on 5432), in one run, taking turns in short slices.
 *
 * <p>Throughput: uncontended acquire + release, one thread, and 8 threads of one client on 8
 * names, every implementation on the same HikariCP pool; the session strategy against raw advisory
 * locks likewise. Round trips: what the driver wrote to the
 * server per critical section ({@link CountingSocketFactory}).
 *
 * <p>Hand-off: this JVM holds a name, a child JVM (its own backend and pool) waits for it, this JVM
 * releases; the sample is release start to the child's acquire returning. With notifications on
 * the child retries only every 10 s, so nothing but the notification can wake it quickly; with
 * them off it polls at distlock's default 50 ms. A sample where the child's first try already
 * found the lock free is dropped (and counted).
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.jdbc.JdbcLockBenchmark [seconds] [rounds]</pre>
 */
public final class JdbcLockBenchmark {
    private static final int POOL_SIZE = 12;
    private static final Duration NOTIFIED_WAITER_RETRY = Duration.ofSeconds(10);
    private static final Duration POLLING_WAITER_RETRY = Duration.ofMillis(50);

    private JdbcLockBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Reports.intArg(args, 0, 3);
        int rounds = Reports.intArg(args, 1, 3);
        String loadBefore = loadAverage();
        StringBuilder report = new StringBuilder();
        try (ServerProcess postgres = TestBackend.POSTGRES.start(); HikariDataSource pool = pool(postgres)) {
            // The tables: distlock's, as its first backend creates it; Spring's from its own script.
            JdbcLockBackend.builder(pool).build().close();
            new ResourceDatabasePopulator(new ClassPathResource(SpringRegistryClient.SCHEMA)).execute(pool);

            Contender raw = new Contender("RAW_JDBC", "raw JDBC, the same two statements by hand",
                    () -> new RawLeaseClient(pool, true));
            Contender distlock = new Contender("DISTLOCK", "distlock-jdbc lease table",
                    () -> new DistlockClient(JdbcLockBackend.builder(pool).namespace("bench").build()));
            Contender spring = new Contender("SPRING", "Spring Integration JdbcLockRegistry",
                    () -> new SpringRegistryClient(pool));
            Contender advisory = new Contender("RAW_ADVISORY", "raw pg_try_advisory_lock / pg_advisory_unlock",
                    () -> new RawAdvisoryClient(pool));
            Contender session = new Contender("DISTLOCK_SESSION", "distlock-jdbc session mode", () -> new DistlockClient(
                    JdbcLockBackend.builder(pool).namespace("session").strategy(JdbcLockBackend.Strategy.SESSION).build()));
            Contender registry = new Contender("DISTLOCK_REGISTRY",
                    "the starter's DistlockLockRegistry on the lease table (Spring Integration's LockRegistry)",
                    () -> new DistlockRegistryClient(pool));
            List<Contender> contenders = new ArrayList<>(List.of(raw, distlock, spring, advisory, session, registry));
            if (Boolean.getBoolean("bench.diagnose")) {
                // Where the time goes: the notification's cost on the server, and distlock's listener.
                contenders.add(new Contender("RAW_NO_NOTIFY", "raw JDBC, release without pg_notify",
                        () -> new RawLeaseClient(pool, false)));
                contenders.add(new Contender("RAW_PINNED", "raw JDBC, a connection per thread (no pool borrow)",
                        () -> new RawLeaseClient(new PinnedConnections(pool), true)));
                contenders.add(new Contender("DISTLOCK_NO_LISTEN", "distlock-jdbc lease table, notifications off",
                        () -> new DistlockClient(JdbcLockBackend.builder(pool).namespace("bench").notifications(false)
                                .build())));
            }
            List<Scenario> scenarios = List.of(
                    Scenario.distinctNames("ONE_THREAD", "1 thread", 1),
                    Scenario.distinctNames("EIGHT_THREADS", "8 threads, 8 names", 8));
            // One unrecorded slice of each first: the driver's and the pool's code is compiled while
            // the first implementation runs, which would otherwise count against it alone.
            if (Rounds.selected(scenarios.get(0).id())) {
                for (Contender contender : contenders) {
                    Slice.run(scenarios.get(0), contender, new Windows(Duration.ofSeconds(1), Duration.ofSeconds(1)));
                }
            }
            Rounds throughput = Rounds.alternate(scenarios, s -> contenders, rounds,
                    Slice.with(Windows.of(seconds), CountingSocketFactory::writes, CpuTime::thisProcessMicros,
                            () -> CpuTime.processTreeMicros(postgres.pid())));
            report.append(new ComparisonTable()
                    .ratio("vs raw JDBC: all slices; median of rounds", s -> raw, false)
                    .ratio("vs Spring: all slices; median of rounds", s -> spring, false)
                    .ratio("vs raw advisory lock: all slices; median of rounds", s -> advisory, false)
                    .fairness("fewest / most acquisitions of one thread, x mean")
                    .perCriticalSection("round trips per critical section", "%.2f")
                    .perCriticalSection("client CPU µs per critical section", "%.0f")
                    .perCriticalSection("server CPU µs per critical section", "%.0f")
                    .render(throughput));
            report.append('\n');
            if (Rounds.selected("HANDOFF")) {
                report.append(handOffs(postgres, Windows.of(seconds), rounds)).append('\n');
            }
            report.append(String.format(Locale.ROOT,
                    "%d rounds of %d s slices per implementation, taking turns, each after 1 s of warm-up; Java %s; "
                            + "%d cores; load average %s before, %s after; PostgreSQL %s (private, loopback, fsync off); "
                            + "%s; %s; %s (pool of %d for all).%n",
                    rounds, seconds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                    loadBefore, loadAverage(), serverVersion(pool),
                    "PostgreSQL JDBC " + org.postgresql.util.DriverInfo.DRIVER_VERSION,
                    "Spring Integration " + springIntegrationVersion(),
                    Reports.mavenVersion("com.zaxxer", "HikariCP", "HikariCP"), POOL_SIZE));
        }
        Reports.publish("jdbc-benchmark.md", report.toString());
    }

    private static HikariDataSource pool(ServerProcess postgres) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("bench");
        config.setJdbcUrl(PostgresServers.url(postgres));
        config.setUsername(PostgresServers.USER);
        config.setPassword(PostgresServers.PASSWORD);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(POOL_SIZE);
        config.addDataSourceProperty("socketFactory", CountingSocketFactory.class.getName());
        return new HikariDataSource(config);
    }

    /**
     * Alternating rounds of hand-offs to a waiter woken by LISTEN/NOTIFY and to one that polls;
     * the table gives median, p90 and p99 in ms, and the pipe between the processes as the floor.
     */
    private static String handOffs(ServerProcess postgres, Windows windows, int rounds) throws Exception {
        String uri = TestBackend.POSTGRES.uri(postgres, Map.of("namespace", "handoff"));
        String name = "handoff";
        Scenario scenario = new Scenario("HANDOFF", "hand-off to another process", 2, 1, true, Duration.ZERO, false);
        // Hand-offs are driven below, not by Slice: these contenders open no clients.
        Contender.Opener opensNone = () -> {
            throw new UnsupportedOperationException("hand-off contenders are driven by HandOffPeer, not by Slice");
        };
        Contender notified = new Contender("NOTIFY", "LISTEN/NOTIFY on, waiter retries every "
                + NOTIFIED_WAITER_RETRY.toSeconds() + " s", opensNone);
        Contender polling = new Contender("POLL", "notifications off, waiter polls every "
                + POLLING_WAITER_RETRY.toMillis() + " ms", opensNone);
        Map<Contender, long[]> dropped = new HashMap<>();
        List<Long> pipe = new ArrayList<>();
        Rounds results;
        try (LockManager holder = LockManager.builder(JdbcLockBackend.open(uri + "&distlock.notifications=false")).build();
             HandOffPeer notifiedPeer = HandOffPeer.start(uri, name, NOTIFIED_WAITER_RETRY);
             HandOffPeer pollingPeer = HandOffPeer.start(uri + "&distlock.notifications=false", name, POLLING_WAITER_RETRY)) {
            Map<Contender, HandOffPeer> peers = Map.of(notified, notifiedPeer, polling, pollingPeer);
            results = Rounds.alternate(List.of(scenario), s -> List.of(notified, polling), rounds, (s, contender) -> {
                HandOffPeer peer = Objects.requireNonNull(peers.get(contender), contender.id());
                for (int i = 0; i < 200; i++) {
                    pipe.add(peer.ping());
                }
                long warmupEnd = System.nanoTime() + windows.warmup().toNanos();
                while (System.nanoTime() < warmupEnd) {
                    peer.handOff(holder);
                }
                List<Long> samples = new ArrayList<>();
                long violations = 0;
                long start = System.nanoTime();
                long end = start + windows.measured().toNanos();
                while (System.nanoTime() < end) {
                    long latency = peer.handOff(holder);
                    if (latency == -1) {
                        dropped.computeIfAbsent(contender, c -> new long[1])[0]++;
                    } else if (latency < 0) {
                        violations++; // the child held it before the release started
                    } else {
                        samples.add(latency);
                    }
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
                return new Result(s, contender, sorted.length, elapsed, 1, 1, sorted, violations, new long[0]);
            });
        }
        StringBuilder out = new StringBuilder("| hand-off, this JVM to a child JVM | hand-offs measured | median ms | "
                + "p90 ms | p99 ms | max ms | dropped: waiter never waited | exclusion violations |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results.totals()) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %d | %d |%n",
                    r.contender().label(), r.acquisitions(), r.handOffNanos(0.5) / 1e6, r.handOffNanos(0.9) / 1e6,
                    r.handOffNanos(0.99) / 1e6, r.handOffNanos(1) / 1e6, dropped.getOrDefault(r.contender(), new long[1])[0],
                    r.violations()));
        }
        long[] pipeSorted = pipe.stream().mapToLong(Long::longValue).sorted().toArray();
        out.append(String.format(Locale.ROOT, "| floor: a one-way message over the pipe between the two JVMs | %d | %.3f | "
                        + "%.3f | %.3f | %.3f | - | - |%n", pipeSorted.length, HandOffPeer.percentile(pipeSorted, 0.5) / 1e6,
                HandOffPeer.percentile(pipeSorted, 0.9) / 1e6, HandOffPeer.percentile(pipeSorted, 0.99) / 1e6,
                HandOffPeer.percentile(pipeSorted, 1) / 1e6));
        return out.toString();
    }

    private static String serverVersion(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW server_version")) {
            return rows.next() ? rows.getString(1) : "(version unknown)";
        }
    }

    private static String springIntegrationVersion() throws IOException {
        Properties versions = new Properties();
        try (InputStream in = JdbcLockBenchmark.class.getResourceAsStream("versions.properties")) {
            versions.load(in);
        }
        return versions.getProperty("spring-integration");
    }

    /** The 1-minute load average, as this shared machine's busyness at the time. */
    private static String loadAverage() {
        try {
            return Arrays.stream(Files.readString(Path.of("/proc/loadavg")).split(" ")).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }
}
