package io.distlock.faults;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

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
            Duration.ofSeconds(20), Duration.ofMillis(20), Duration.ofMillis(10), 1, 5, 5, Duration.ofSeconds(30));

    /** Full: 5 clients, a 2 s lease, three injections per fault, more work between them. */
    static final WorkloadRunner.Settings FULL = new WorkloadRunner.Settings(5, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(10), 3, 20, 30, Duration.ofSeconds(60));

    /** A backend of the suite: how to start its adapter, the faults it supports, and those of them the short suite runs. */
    record Backend(Supplier<BackendAdapter> adapter, Set<Fault> faults, Set<Fault> shortFaults) {
        /** In the short suite with every fault but the baseline. */
        Backend(Supplier<BackendAdapter> adapter, Set<Fault> faults) {
            this(adapter, faults, faults);
        }
    }

    /**
     * The real backends. A new backend is one adapter class and one line here. Sentinel and Cluster
     * cost a setup of 5 to 6 servers and a failover of seconds per run, so the short suite takes
     * one Sentinel failover of them and the full one the rest.
     */
    static final List<Backend> BACKENDS = List.of(
            new Backend(FileAdapter::new, FileAdapter.FAULTS),
            new Backend(RedisAdapter::new, RedisAdapter.FAULTS),
            new Backend(RedisSentinelAdapter::new, RedisSentinelAdapter.FAULTS, Set.of(Fault.FAILOVER)),
            new Backend(() -> new RedisClusterAdapter(false), RedisClusterAdapter.FAULTS, Set.of()),
            new Backend(() -> new RedisClusterAdapter(true), RedisClusterAdapter.REPLICATED_FAULTS, Set.of()));

    /** Every real backend with every fault it supports (the short suite: its short faults, without the baseline). */
    static List<Run> realBackends(WorkloadRunner.Settings settings, boolean full) {
        List<Run> runs = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            for (Fault fault : Fault.values()) {
                boolean wanted = full ? backend.faults().contains(fault)
                        : backend.shortFaults().contains(fault) && fault != Fault.NONE;
                if (wanted) {
                    runs.add(new Run(backend.adapter(), fault, settings));
                }
            }
        }
        return runs;
    }

    static List<WorkloadRunner.Result> execute(List<Run> runs, Path directory) throws Exception {
        List<WorkloadRunner.Result> results = new ArrayList<>();
        int n = 0;
        for (Run run : runs) {
            long started = System.nanoTime();
            try (BackendAdapter adapter = run.adapter().get()) {
                WorkloadRunner.Result result = WorkloadRunner.run(adapter, run.fault(), run.settings(),
                        directory.resolve("run-" + (++n) + "-" + run.fault().name().toLowerCase(java.util.Locale.ROOT)));
                System.out.println(Report.details(result));
                results.add(result);
            } finally {
                // With the servers' start and stop: what each row costs the suite.
                System.out.println("  run " + n + " took " + (System.nanoTime() - started) / 1_000_000 + " ms");
            }
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
