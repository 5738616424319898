package io.distlock.faults;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Which runs make up the short suite (in every {@code mvn verify}) and the full one, and the one
 * place a new backend is added: a line per fault in {@link #realBackends} with its adapter.
 */
final class FaultPlans {
    private FaultPlans() {
    }

    record Run(Supplier<BackendAdapter> adapter, Fault fault, WorkloadRunner.Settings settings) {
    }

    /**
     * Short: 3 clients, a 1.5 s lease, one injection per fault. Each run costs the start of 3 JVMs
     * plus a few leases, about 10 s on a loaded 2-core machine.
     */
    static final WorkloadRunner.Settings SHORT = new WorkloadRunner.Settings(3, Duration.ofMillis(1500),
            Duration.ofSeconds(20), Duration.ofMillis(20), Duration.ofMillis(10), 1, 5, 5, Duration.ofSeconds(30), false);

    /** Full: 5 clients, a 2 s lease, three injections per fault, more work between them. */
    static final WorkloadRunner.Settings FULL = new WorkloadRunner.Settings(5, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(10), 3, 20, 30, Duration.ofSeconds(60), false);

    /**
     * A backend of the suite: how to start its adapter, the faults it supports (the full suite runs
     * each), those of them the short suite runs, the name {@code -Dfaults.backends} selects it by,
     * and what it changes in the suite's settings (most: nothing).
     */
    record Backend(Supplier<BackendAdapter> adapter, Set<Fault> faults, Set<Fault> shortFaults, String name,
                   UnaryOperator<WorkloadRunner.Settings> tuning) {
        Backend(Supplier<BackendAdapter> adapter, Set<Fault> faults, Set<Fault> shortFaults, String name) {
            this(adapter, faults, shortFaults, name, UnaryOperator.identity());
        }

        /** Without a name: selected only when no {@code -Dfaults.backends} is given. */
        Backend(Supplier<BackendAdapter> adapter, Set<Fault> faults, Set<Fault> shortFaults) {
            this(adapter, faults, shortFaults, "");
        }

        /** In the short suite with every fault but the baseline. */
        Backend(Supplier<BackendAdapter> adapter, Set<Fault> faults) {
            this(adapter, faults, faults);
        }
    }

    /**
     * The real backends. A new backend is one adapter class and one line here. The short suite, in
     * every build, runs one fault per backend, the one that says most about it, within about two
     * minutes on a loaded 2-core machine; the full suite runs them all. Sentinel and Cluster cost a
     * setup of 5 to 6 servers and a failover of seconds per run, so the short suite takes one
     * Sentinel failover of them and the full one the rest.
     */
    static final List<Backend> BACKENDS = List.of(
            // Fencing at work: a paused holder's late writes refused by both fenced resources.
            new Backend(FileAdapter::new, FileAdapter.FAULTS, EnumSet.of(Fault.PAUSE_HOLDER), "file"),
            // An auto-renewed lock whose holder is stopped, renewal thread and all, past its lease:
            // the engine must report it lost, and the resources refuse its late writes.
            new Backend(FileAdapter::new, EnumSet.of(Fault.PAUSE_HOLDER), EnumSet.of(Fault.PAUSE_HOLDER),
                    "file-auto-renew", FaultPlans::autoRenewed),
            // A restart without persistence forgets the locks; the token counter starts again from the server clock.
            new Backend(RedisAdapter::new, RedisAdapter.FAULTS, EnumSet.of(Fault.SERVER_RESTART), "redis"),
            new Backend(RedisAdapter::new, EnumSet.of(Fault.PAUSE_HOLDER), EnumSet.noneOf(Fault.class),
                    "redis-auto-renew", FaultPlans::autoRenewed),
            new Backend(RedisSentinelAdapter::new, RedisSentinelAdapter.FAULTS, Set.of(Fault.FAILOVER), "redis-sentinel"),
            new Backend(() -> new RedisClusterAdapter(false), RedisClusterAdapter.FAULTS, Set.of(), "redis-cluster"),
            new Backend(() -> new RedisClusterAdapter(true), RedisClusterAdapter.REPLICATED_FAULTS, Set.of(),
                    "redis-cluster-replicas"),
            // A restart forgets every lock; tokens start again from the server's clock.
            new Backend(MemcachedAdapter::new, MemcachedAdapter.FAULTS, EnumSet.of(Fault.SERVER_RESTART), "memcached"),
            // Locks and sessions on disk: a restart keeps them.
            new Backend(ZooKeeperAdapter::sessionLongerThanLease, ZooKeeperAdapter.FAULTS, EnumSet.of(Fault.SERVER_RESTART),
                    "zookeeper"),
            // No run with a session shorter than the lease (1 s against 3 s, which let a paused holder's
            // session expire under a running lease): the backend now refuses such a lease
            // (IllegalArgumentException, distlock-zookeeper README), so every acquisition would fail.
            // A crash and recovery keep the lease table and the sequence (the same for MariaDB).
            new Backend(PostgresAdapter::durable, PostgresAdapter.FAULTS, EnumSet.of(Fault.SERVER_RESTART), "jdbc-postgresql"),
            new Backend(PostgresAdapter::sessionLocks, PostgresAdapter.FAULTS, EnumSet.noneOf(Fault.class),
                    "jdbc-postgresql-session"),
            // The same crash on a server that acknowledges commits before they are on disk.
            new Backend(PostgresAdapter::asynchronousCommit, EnumSet.of(Fault.SERVER_RESTART), EnumSet.noneOf(Fault.class),
                    "jdbc-postgresql-async-commit"),
            new Backend(MariaDbAdapter::leaseTable, MariaDbAdapter.FAULTS, EnumSet.of(Fault.SERVER_RESTART), "jdbc-mariadb"),
            // Session locks: a cut connection ends the holder's session, and frees its lock, at once;
            // its backend has no LISTEN connection to notice it by (PostgreSQL's usually does).
            new Backend(MariaDbAdapter::sessionLocks, MariaDbAdapter.FAULTS, EnumSet.of(Fault.CONNECTION_CUT),
                    "jdbc-mariadb-session"));

    /**
     * Every real backend with every fault it supports (the short suite: its short faults, without
     * the baseline), or only those named in the system property {@code faults.backends}
     * (comma-separated {@link Backend#name()}s), and only the faults named in {@code faults.faults}
     * ({@link Fault} names).
     */
    static List<Run> realBackends(WorkloadRunner.Settings settings, boolean full) {
        Set<String> backends = selection("faults.backends");
        Set<String> chosenFaults = selection("faults.faults");
        List<Run> runs = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            if (!backends.isEmpty() && !backends.contains(backend.name())) {
                continue;
            }
            for (Fault fault : Fault.values()) {
                boolean wanted = full ? backend.faults().contains(fault)
                        : backend.shortFaults().contains(fault) && fault != Fault.NONE;
                if (wanted && (chosenFaults.isEmpty() || chosenFaults.contains(fault.name()))) {
                    runs.add(new Run(backend.adapter(), fault, backend.tuning().apply(settings)));
                }
            }
        }
        return runs;
    }

    /** {@code settings} with another lease. */
    static WorkloadRunner.Settings lease(WorkloadRunner.Settings settings, Duration lease) {
        return new WorkloadRunner.Settings(settings.clients(), lease, settings.acquireWait(), settings.work(),
                settings.retry(), settings.injections(), settings.warmupAcquisitions(), settings.settleAcquisitions(),
                settings.patience(), settings.autoRenew());
    }

    /** {@code settings} with the clients' locks renewed by the engine. */
    static WorkloadRunner.Settings autoRenewed(WorkloadRunner.Settings settings) {
        return new WorkloadRunner.Settings(settings.clients(), settings.lease(), settings.acquireWait(), settings.work(),
                settings.retry(), settings.injections(), settings.warmupAcquisitions(), settings.settleAcquisitions(),
                settings.patience(), true);
    }

    private static Set<String> selection(String property) {
        String value = System.getProperty(property, "").trim();
        return value.isEmpty() ? Set.of() : Set.of(value.split("\\s*,\\s*"));
    }

    /**
     * Runs each in turn. A run that fails (a server that does not start, a client that dies) does not
     * stop the others: the figures of a long suite are not thrown away for one of its runs. The
     * failures are thrown together at the end, with the table of the runs that completed.
     */
    static List<WorkloadRunner.Result> execute(List<Run> runs, Path directory) throws Exception {
        List<WorkloadRunner.Result> results = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        int n = 0;
        try (GuardedResources.RowDatabase rows = new GuardedResources.RowDatabase()) {
            for (Run run : runs) {
                String name = "run-" + (++n) + "-" + run.fault().name().toLowerCase(java.util.Locale.ROOT);
                long started = System.nanoTime();
                try (BackendAdapter adapter = run.adapter().get()) {
                    WorkloadRunner.Result result = WorkloadRunner.run(adapter, run.fault(), run.settings(),
                            directory.resolve(name), rows);
                    System.out.println(Report.details(result));
                    results.add(result);
                } catch (Exception | AssertionError e) {
                    e.printStackTrace(System.out);
                    failures.add(new AssertionError(name + " failed: " + e, e));
                } finally {
                    // With the servers' start and stop: what each row costs the suite.
                    System.out.println("  run " + n + " took " + (System.nanoTime() - started) / 1_000_000 + " ms");
                }
            }
        }
        if (!failures.isEmpty()) {
            AssertionError failed = new AssertionError(failures.size() + " of " + runs.size()
                    + " runs failed (each suppressed below); the runs that completed:\n" + Report.table(results));
            failures.forEach(failed::addSuppressed);
            throw failed;
        }
        return results;
    }

    /** Writes the table to {@code target/<file>} (for the README) and prints it. */
    static String publish(String file, String title, List<WorkloadRunner.Result> results) throws Exception {
        String table = Report.table(results);
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve(file), "## " + title + "\n\n" + table, StandardCharsets.UTF_8);
        System.out.println(table);
        return table;
    }
}
