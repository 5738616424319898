package io.distlock.benchmarks.startup;

import io.distlock.benchmarks.harness.Reports;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Start-up of the installed command line, {@code bin/distlock run --name x -- true}, per backend,
 * against a bare JVM that runs an empty {@code main} with the launcher's own JVM flags, all in one
 * run: issue 23's targets are ratios (a server backend within 1.5x of {@code file:}, {@code file:}
 * within 4x of the bare JVM), and on this shared 2-core machine only ratios measured side by side
 * mean anything.
 *
 * <p>The distribution (what {@code mvn -pl distlock-cli -am package -DskipTests} lays out in
 * {@code distlock-cli/target/distlock/}) is copied to a scratch directory first, so its class-data
 * sharing archive is recorded afresh, by its first run, as an operator's first run records it; that
 * run is reported on its own. Each server backend runs against a private server on a free loopback
 * port, started with the backend module's test fixture and stopped by pid at the end.
 *
 * <p>Then rounds: each round runs every variant once, in an order rotated from round to round, so
 * a busy moment of the machine falls on all of them alike; every ratio is the median of the
 * per-round ratios (with their quartiles as the spread). Wall time and CPU time (user + system of
 * the launcher, the JVM and everything they started, from bash's {@code times} after the run) are
 * both reported: on a loaded machine wall time swings with the load, CPU time much less.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.startup.StartupBenchmark [rounds] [warm-ups]</pre>
 *
 * <p>{@code -Dbench.only=bare,file,redis} runs only those variants (of bare, file, redis, memcached,
 * zookeeper, jdbc); {@code -Dbench.distributions=before=/a/distlock,after=/b/distlock} measures
 * several builds of the distribution in the same rounds (default: {@code distlock-cli/target/distlock}).
 * The JVM that runs this is the JVM measured (it becomes the launcher's {@code JAVA_HOME}).
 */
public final class StartupBenchmark {
    /** The launcher's JVM flags, as its script declares them: the bare JVM gets the same. */
    private static final Pattern JVM_OPTS = Pattern.compile("(?m)^jvm_opts=\\(([^)]*)\\)");
    private static final Pattern TIMES = Pattern.compile("(\\d+)m(\\d+)\\.(\\d+)s");
    private static final List<String> ALL = List.of("bare", "file", "redis", "memcached", "zookeeper", "jdbc");
    /** Issue 23's targets: a server backend's start-up over file's, file's over the bare JVM's. */
    private static final double SERVER_OVER_FILE = 1.5;
    private static final double FILE_OVER_BARE = 4.0;
    /**
     * Runs the command, then prints bash's {@code times} (its own and its children's user and system
     * time, with every process they waited for) and the wall-clock start, end and exit status.
     */
    private static final String TIMED = "s=$EPOCHREALTIME; \"$@\" </dev/null >/dev/null 2>\"$BENCH_ERR\"; status=$?; "
            + "e=$EPOCHREALTIME; times; echo \"$s $e $status\"";
    private static final long RUN_DEADLINE_SECONDS = 120;

    private final Path scratch;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final Path errors;
    /** Each distribution's launcher flags. */
    private final Map<String, List<String>> flagsOf = new LinkedHashMap<>();

    private StartupBenchmark(Path scratch) {
        this.scratch = scratch;
        this.errors = scratch.resolve("stderr.txt");
    }

    /** One way of starting: a command and its backend's environment. */
    private record Variant(String id, String distribution, String backend, String label, List<String> command,
                           Map<String, String> env) {
    }

    /** One run's wall and CPU time, in µs. */
    private record Sample(long wallMicros, long cpuMicros) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Reports.intArg(args, 0, 21);
        int warmUps = Reports.intArg(args, 1, 3);
        Set<String> only = only(System.getProperty("bench.only", String.join(",", ALL)));
        Map<String, Path> distributions = distributions(System.getProperty("bench.distributions", ""));
        Path scratch = Files.createTempDirectory("distlock-startup-");
        try {
            new StartupBenchmark(scratch).run(rounds, warmUps, only, distributions);
        } finally {
            deleteTree(scratch);
        }
    }

    private void run(int rounds, int warmUps, Set<String> only, Map<String, Path> distributions) throws Exception {
        String loadBefore = loadAverage();
        List<ServerProcess> servers = new ArrayList<>();
        ServerProcess postgres = null;
        try {
            Map<String, String> uris = new LinkedHashMap<>();
            Map<String, Map<String, String>> backendEnv = new LinkedHashMap<>();
            if (only.contains("redis")) {
                ServerProcess redis = started(servers, TestBackend.REDIS.start());
                uris.put("redis", TestBackend.REDIS.uri(redis));
            }
            if (only.contains("memcached")) {
                ServerProcess memcached = started(servers, TestBackend.MEMCACHED.start());
                uris.put("memcached", TestBackend.MEMCACHED.uri(memcached));
            }
            if (only.contains("zookeeper")) {
                ServerProcess zookeeper = started(servers, TestBackend.ZOOKEEPER.start());
                uris.put("zookeeper", TestBackend.ZOOKEEPER.uri(zookeeper) + "/startup");
            }
            if (only.contains("jdbc")) {
                postgres = started(servers, TestBackend.POSTGRES.start());
                uris.put("jdbc", TestBackend.POSTGRES.uriWithoutPassword(postgres.port(), Map.of()));
                backendEnv.put("jdbc", TestBackend.POSTGRES.passwordEnvironment(TestBackend.POSTGRES.password()));
            }

            List<Variant> variants = new ArrayList<>();
            List<String> firstRuns = new ArrayList<>();
            // One bare JVM per set of launcher flags: a distribution's file run is compared with
            // the bare JVM that has its own flags.
            Map<List<String>, Variant> bares = new LinkedHashMap<>();
            for (Map.Entry<String, Path> distribution : distributions.entrySet()) {
                Path home = install(distribution.getKey(), distribution.getValue());
                List<String> launcherFlags = launcherFlags(home);
                if (only.contains("bare") && !bares.containsKey(launcherFlags)) {
                    String label = distributions.size() == 1 ? "bare JVM, empty main"
                            : "bare JVM (" + distribution.getKey() + "'s flags)";
                    bares.put(launcherFlags, new Variant("bare", distribution.getKey(), "bare", label,
                            bareCommand(launcherFlags, bares.size()), Map.of()));
                }
                flagsOf.put(distribution.getKey(), launcherFlags);
                String prefix = distributions.size() > 1 ? distribution.getKey() + ": " : "";
                List<String> run = List.of(home.resolve("bin/distlock").toString(), "run", "--name", "x", "--", "true");
                Path locks = scratch.resolve("locks-" + distribution.getKey());
                if (only.contains("file")) {
                    variants.add(new Variant("file", distribution.getKey(), "file", prefix + "file:", run,
                            Map.of("DISTLOCK_BACKEND", "file:" + locks)));
                }
                for (Map.Entry<String, String> uri : uris.entrySet()) {
                    variants.add(new Variant(uri.getKey(), distribution.getKey(), uri.getKey(),
                            prefix + uri.getValue().replaceFirst("[:/].*", ":"), run,
                            with(backendEnv.getOrDefault(uri.getKey(), Map.of()), "DISTLOCK_BACKEND", uri.getValue())));
                }
                // The first run records the class-data sharing archive: an operator's first run.
                Variant first = new Variant("first", distribution.getKey(), "file", "first run", run,
                        Map.of("DISTLOCK_BACKEND", "file:" + locks));
                Sample recording = measure(first);
                firstRuns.add(String.format(Locale.ROOT, "%sfirst run (records the archive): %d ms wall, %d ms CPU; %s",
                        prefix, recording.wallMicros() / 1000, recording.cpuMicros() / 1000, archives(home)));
            }
            variants.addAll(0, bares.values());

            for (int i = 0; i < warmUps; i++) {
                for (Variant variant : variants) {
                    measure(variant);
                }
            }
            Map<Variant, List<Sample>> samples = new LinkedHashMap<>();
            variants.forEach(v -> samples.put(v, new ArrayList<>()));
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < variants.size(); i++) {
                    Variant variant = variants.get((i + round) % variants.size());
                    samplesOf(samples, variant).add(measure(variant));
                }
            }
            String table = render(samples, rounds, warmUps, flagsOf, firstRuns, loadBefore);
            Reports.publish("startup.md", table);
        } finally {
            if (postgres != null) {
                TestBackend.POSTGRES.stop(postgres);
            }
            servers.forEach(ServerProcess::close);
        }
    }

    private static ServerProcess started(List<ServerProcess> servers, ServerProcess server) {
        servers.add(server);
        return server;
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put(name, value);
        return all;
    }

    /** The distribution, copied into the scratch directory: its own {@code cds/}, recorded afresh. */
    private Path install(String label, Path distribution) throws IOException {
        Path launcher = distribution.resolve("bin/distlock");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException("No distribution at " + distribution.toAbsolutePath()
                    + " (no executable bin/distlock): build it with "
                    + "mvn -B -ntp -pl distlock-cli -am package -DskipTests, or name one in -Dbench.distributions");
        }
        Path home = scratch.resolve("install-" + label);
        try (Stream<Path> files = Files.walk(distribution)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = distribution.relativize(file);
                if (relative.startsWith("cds")) {
                    continue;
                }
                Path target = home.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return home;
    }

    private static List<String> launcherFlags(Path home) throws IOException {
        Path launcher = home.resolve("bin/distlock");
        Matcher matcher = JVM_OPTS.matcher(Files.readString(launcher));
        if (!matcher.find()) {
            throw new IllegalStateException("No line 'jvm_opts=(...)' in " + launcher
                    + ": the bare JVM's flags come from there");
        }
        return List.of(matcher.group(1).trim().split("\\s+"));
    }

    private static String archives(Path home) throws IOException {
        Path cds = home.resolve("cds");
        if (!Files.isDirectory(cds)) {
            return "no archive recorded";
        }
        try (Stream<Path> files = Files.list(cds)) {
            List<String> found = new ArrayList<>();
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!Files.isDirectory(file)) {
                    found.add(String.format(Locale.ROOT, "%s (%.1f MB)", file.getFileName(), Files.size(file) / 1e6));
                }
            }
            return found.isEmpty() ? "no archive recorded" : "cds/ " + String.join(", ", found);
        }
    }

    /** The empty main, in a directory of its own, run with the launcher's flags. */
    private List<String> bareCommand(List<String> flags, int index) throws IOException {
        Path classes = scratch.resolve("bare-" + index);
        String resource = EmptyMain.class.getName().replace('.', '/') + ".class";
        Path file = classes.resolve(resource);
        Files.createDirectories(file.getParent());
        try (InputStream in = EmptyMain.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("No " + resource + " on the class path");
            }
            Files.copy(in, file);
        }
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(flags);
        command.addAll(List.of("-cp", classes.toString(), EmptyMain.class.getName()));
        return command;
    }

    private Sample measure(Variant variant) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", TIMED, "bash"));
        command.addAll(variant.command());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("LC_ALL", "C");
        env.put("HOME", scratch.resolve("home").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("BENCH_ERR", errors.toString());
        env.putAll(variant.env());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(RUN_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(variant.label() + " did not end within " + RUN_DEADLINE_SECONDS + " s");
        }
        String[] lines = output.strip().split("\n");
        String[] last = lines[lines.length - 1].trim().split(" ");
        if (lines.length < 3 || last.length != 3) {
            throw new IllegalStateException("Unexpected output of the timing shell for " + variant.label() + ": " + output);
        }
        if (!last[2].equals("0")) {
            throw new IllegalStateException(variant.label() + " (" + String.join(" ", variant.command()) + ") exited "
                    + last[2] + ": " + Files.readString(errors).strip());
        }
        long wall = epochMicros(last[1]) - epochMicros(last[0]);
        long cpu = 0;
        Matcher children = TIMES.matcher(lines[lines.length - 2]);
        while (children.find()) {
            cpu += Long.parseLong(children.group(1)) * 60_000_000L + Long.parseLong(children.group(2)) * 1_000_000L
                    + Long.parseLong((children.group(3) + "000000").substring(0, 6));
        }
        return new Sample(wall, cpu);
    }

    private static long epochMicros(String epochRealTime) {
        String[] parts = epochRealTime.split("\\.");
        return Long.parseLong(parts[0]) * 1_000_000L + Long.parseLong((parts[1] + "000000").substring(0, 6));
    }

    private String render(Map<Variant, List<Sample>> samples, int rounds, int warmUps,
                          Map<String, List<String>> flags, List<String> firstRuns, String loadBefore) {
        StringBuilder out = new StringBuilder();
        out.append("| start-up of | wall median ms | wall p25 .. p75 | CPU median ms | CPU p25 .. p75 |\n");
        out.append("|---|---:|---:|---:|---:|\n");
        for (Map.Entry<Variant, List<Sample>> entry : samples.entrySet()) {
            double[] wall = values(entry.getValue(), true);
            double[] cpu = values(entry.getValue(), false);
            String label = entry.getKey().id().equals("bare") ? entry.getKey().label()
                    : entry.getKey().label() + " `run -- true`";
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f .. %.0f | %.0f | %.0f .. %.0f |%n", label,
                    quantile(wall, 0.5) / 1000, quantile(wall, 0.25) / 1000, quantile(wall, 0.75) / 1000,
                    quantile(cpu, 0.5) / 1000, quantile(cpu, 0.25) / 1000, quantile(cpu, 0.75) / 1000));
        }
        out.append('\n');
        out.append("| ratio | target | wall: median of rounds (p25 .. p75) | CPU: median of rounds (p25 .. p75) | met (wall; CPU) |\n");
        out.append("|---|---:|---:|---:|---|\n");
        for (Variant variant : samples.keySet()) {
            Variant bare = samples.keySet().stream().filter(v -> v.id().equals("bare")
                    && Objects.equals(flags.get(v.distribution()), flags.get(variant.distribution()))).findFirst().orElse(null);
            if (variant.id().equals("file") && bare != null) {
                out.append(ratioRow(samples, variant, bare, FILE_OVER_BARE));
            }
        }
        for (Variant variant : samples.keySet()) {
            Variant file = find(samples, variant.distribution(), "file");
            if (!variant.id().equals("bare") && !variant.id().equals("file") && file != null) {
                out.append(ratioRow(samples, variant, file, SERVER_OVER_FILE));
            }
        }
        out.append('\n');
        firstRuns.forEach(line -> out.append(line).append("  \n"));
        out.append(String.format(Locale.ROOT, "%d rounds (each variant once per round, order rotated), after %d "
                        + "warm-up round(s); JVM flags of the launcher and the bare JVM: %s; %s; %d cores; "
                        + "load average %s before, %s after.%n", rounds, warmUps, describe(flags),
                Reports.commandOutput("java (version unknown)", System.getProperty("java.home") + "/bin/java",
                        "-version").lines().skip(1).findFirst().orElse("java"),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage()));
        return out.toString();
    }

    private static @Nullable Variant find(Map<Variant, List<Sample>> samples, String distribution, String id) {
        return samples.keySet().stream().filter(v -> v.id().equals(id) && v.distribution().equals(distribution))
                .findFirst().orElse(null);
    }

    /** The samples of {@code variant}, one of {@code samples}' keys: every variant has a list from the start. */
    private static List<Sample> samplesOf(Map<Variant, List<Sample>> samples, Variant variant) {
        return Objects.requireNonNull(samples.get(variant), variant.id());
    }

    private static String describe(Map<String, List<String>> flags) {
        if (flags.values().stream().distinct().count() == 1) {
            return String.join(" ", flags.values().iterator().next());
        }
        List<String> each = new ArrayList<>();
        flags.forEach((distribution, list) -> each.add(distribution + ": " + String.join(" ", list)));
        return String.join("; ", each);
    }

    private static String ratioRow(Map<Variant, List<Sample>> samples, Variant over, Variant base, double target) {
        double[] wall = perRoundRatios(samplesOf(samples, over), samplesOf(samples, base), true);
        double[] cpu = perRoundRatios(samplesOf(samples, over), samplesOf(samples, base), false);
        double wallMedian = quantile(wall, 0.5);
        double cpuMedian = quantile(cpu, 0.5);
        return String.format(Locale.ROOT, "| %s / %s | %.1fx | **%.2fx** (%.2f .. %.2f) | **%.2fx** (%.2f .. %.2f) | %s; %s |%n",
                over.label(), base.label(), target, wallMedian, quantile(wall, 0.25), quantile(wall, 0.75),
                cpuMedian, quantile(cpu, 0.25), quantile(cpu, 0.75), wallMedian <= target ? "yes" : "no",
                cpuMedian <= target ? "yes" : "no");
    }

    private static double[] perRoundRatios(List<Sample> over, List<Sample> base, boolean wall) {
        double[] ratios = new double[over.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = wall ? (double) over.get(i).wallMicros() / base.get(i).wallMicros()
                    : (double) over.get(i).cpuMicros() / Math.max(1, base.get(i).cpuMicros());
        }
        return ratios;
    }

    private static double[] values(List<Sample> samples, boolean wall) {
        return samples.stream().mapToDouble(s -> wall ? s.wallMicros() : s.cpuMicros()).toArray();
    }

    /** The {@code q} quantile, interpolated between the two nearest ranks. */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Set<String> only(String list) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String id : list.split(",")) {
            String trimmed = id.trim().toLowerCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!ALL.contains(trimmed)) {
                throw new IllegalArgumentException("Unknown variant '" + trimmed + "' in -Dbench.only: use some of " + ALL);
            }
            chosen.add(trimmed);
        }
        return chosen;
    }

    /** {@code label=path,...}, or the repository's own build when empty. */
    private static Map<String, Path> distributions(String list) {
        Map<String, Path> distributions = new LinkedHashMap<>();
        for (String entry : list.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("Bad entry '" + entry + "' in -Dbench.distributions: use label=path");
            }
            distributions.put(entry.substring(0, equals).trim(), Path.of(entry.substring(equals + 1).trim()));
        }
        if (distributions.isEmpty()) {
            Path here = Path.of("distlock-cli/target/distlock");
            distributions.put("current", Files.isDirectory(here) ? here : Path.of("../distlock-cli/target/distlock"));
        }
        return distributions;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Could not delete " + root + ": " + e);
        }
    }
}
