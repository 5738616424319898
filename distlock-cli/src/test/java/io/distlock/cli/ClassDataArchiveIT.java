package io.distlock.cli;

import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The class-data sharing archive that the installed {@code bin/distlock} records on its first run
 * holds what a run on each backend loads, not only the file backend's classes: the archive is
 * recorded once (from {@link ArchiveTraining}, no server needed), then every backend runs
 * {@code run --name x -- true} against a private server with the JVM's class-loading log on
 * ({@code JAVA_TOOL_OPTIONS=-Xlog:class+load}), and the log says where each class came from.
 *
 * <p>Two checks per backend: its client's main classes come from the archive ("shared objects
 * file"), and so do at least {@value #MIN_SHARE_PERCENT} % of the classes of its client's packages
 * that the run loads. What the training cannot reach without a server (the protocol's handshake and
 * reply decoding) is the rest; the failure message lists it.
 */
@Timeout(600)
class ClassDataArchiveIT {
    private static final String VERSION = System.getProperty("distlock.version", "0.1.0-SNAPSHOT");
    private static final Path ARCHIVE = Path.of(System.getProperty("distlock.archive",
            "target/distlock-" + VERSION + ".tar.gz")).toAbsolutePath().normalize();
    private static final Path JDK_BIN = Path.of(System.getProperty("java.home"), "bin");
    private static final long DEADLINE_SECONDS = 120;
    private static final int MIN_SHARE_PERCENT = 97;
    private static final String SHARED = "shared objects file";

    @TempDir
    static Path root;

    private static Path home;

    @BeforeAll
    static void installAndRecordTheArchive() throws Exception {
        assertThat(ARCHIVE).as("mvn package builds the archive").isRegularFile();
        Finished untar = run(List.of("tar", "-xzf", ARCHIVE.toString(), "-C", root.toString()), Map.of(), null);
        assertThat(untar.status()).as("%s", untar).isZero();
        home = root.resolve("distlock-" + VERSION);

        Finished first = distlock(Map.of("DISTLOCK_BACKEND", "file:" + root.resolve("first-locks")), null);
        assertThat(first.status()).as("the first run, which records the archive: %s", first).isZero();
        try (Stream<Path> files = Files.list(home.resolve("cds"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".jsa")).count()).as("one archive in cds/").isOne();
        }
    }

    @Test
    void redis() throws Exception {
        try (ServerProcess redis = TestBackend.REDIS.start()) {
            assertArchived(TestBackend.REDIS.uri(redis), Map.of(),
                    List.of("io.lettuce.core.RedisClient", "io.netty.channel.nio.NioIoHandler",
                            "io.distlock.redis.RedisLockBackend"),
                    List.of("io.lettuce.", "io.netty.", "reactor.", "io.distlock.redis."));
        }
    }

    @Test
    void memcached() throws Exception {
        try (ServerProcess memcached = TestBackend.MEMCACHED.start()) {
            assertArchived(TestBackend.MEMCACHED.uri(memcached), Map.of(),
                    List.of("net.rubyeye.xmemcached.XMemcachedClient", "com.google.code.yanf4j.nio.impl.Reactor",
                            "io.distlock.memcached.MemcachedLockBackend"),
                    List.of("net.rubyeye.xmemcached.", "com.google.code.yanf4j.", "io.distlock.memcached."));
        }
    }

    @Test
    void zookeeper() throws Exception {
        try (ServerProcess zookeeper = TestBackend.ZOOKEEPER.start()) {
            assertArchived(TestBackend.ZOOKEEPER.uri(zookeeper) + "/archive", Map.of(),
                    List.of("org.apache.curator.framework.imps.CuratorFrameworkImpl", "org.apache.zookeeper.ZooKeeper",
                            "io.distlock.zookeeper.ZooKeeperLockBackend"),
                    List.of("org.apache.curator.", "org.apache.zookeeper.", "io.distlock.zookeeper."));
        }
    }

    @Test
    void postgresql() throws Exception {
        TestBackend backend = TestBackend.POSTGRES;
        ServerProcess postgres = backend.start();
        try {
            assertArchived(backend.uriWithoutPassword(postgres.port(), Map.of()),
                    backend.passwordEnvironment(backend.password()),
                    List.of("org.postgresql.Driver", "com.zaxxer.hikari.HikariDataSource",
                            "io.distlock.jdbc.JdbcLockBackend"),
                    List.of("org.postgresql.", "com.zaxxer.hikari.", "io.distlock.jdbc."));
        } finally {
            backend.stop(postgres);
            postgres.close();
        }
    }

    @Test
    void mariadb() throws Exception {
        TestBackend backend = TestBackend.MARIADB;
        try (ServerProcess mariadb = backend.start()) {
            assertArchived(backend.uriWithoutPassword(mariadb.port(), Map.of()),
                    backend.passwordEnvironment(backend.password()),
                    List.of("org.mariadb.jdbc.Driver", "com.zaxxer.hikari.HikariDataSource"),
                    List.of("org.mariadb.jdbc.", "com.zaxxer.hikari.", "io.distlock.jdbc."));
        }
    }

    @Test
    void h2() throws Exception {
        assertArchived("jdbc:h2:" + root.resolve("h2/locks"), Map.of(),
                List.of("org.h2.Driver", "org.h2.engine.Database", "com.zaxxer.hikari.HikariDataSource"),
                List.of("org.h2.", "com.zaxxer.hikari.", "io.distlock.jdbc."));
    }

    @Test
    void file() throws Exception {
        assertArchived("file:" + root.resolve("file-locks"), Map.of(),
                List.of("io.distlock.file.FileLockBackend", "picocli.CommandLine", "io.distlock.cli.RunCommand"),
                List.of("io.distlock.", "picocli."));
    }

    /**
     * Runs once on {@code uri} with the class-loading log and checks that {@code mainClasses} and
     * at least {@value #MIN_SHARE_PERCENT} % of the loaded classes under {@code packages} came from
     * the archive.
     */
    private static void assertArchived(String uri, Map<String, String> env, List<String> mainClasses,
                                       List<String> packages) throws Exception {
        Path log = Files.createTempFile(root, "class-load-", ".log");
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("DISTLOCK_BACKEND", uri);
        Finished run = distlock(all, log);
        assertThat(run.status()).as("%s", run).isZero();

        Map<String, String> sources = new LinkedHashMap<>();
        for (String line : Files.readAllLines(log)) {
            // [info][class,load] io.lettuce.core.RedisClient source: shared objects file (top)
            int start = line.indexOf("] ");
            int source = line.indexOf(" source: ");
            if (line.contains("class,load") && start > 0 && source > start) {
                sources.putIfAbsent(line.substring(start + 2, source).trim(), line.substring(source + 9));
            }
        }
        for (String mainClass : mainClasses) {
            assertThat(sources).as("%s was loaded in a run on %s", mainClass, uri).containsKey(mainClass);
            assertThat(sources.get(mainClass)).as("where %s came from in a run on %s", mainClass, uri)
                    .startsWith(SHARED);
        }
        List<String> archived = new ArrayList<>();
        List<String> notArchived = new ArrayList<>();
        List<String> anyNotArchived = new ArrayList<>();
        sources.forEach((name, source) -> {
            if (source.startsWith(SHARED) || generatedAtRunTime(name)) {
                if (packages.stream().anyMatch(name::startsWith) && !generatedAtRunTime(name)) {
                    archived.add(name);
                }
                return;
            }
            anyNotArchived.add(name);
            if (packages.stream().anyMatch(name::startsWith)) {
                notArchived.add(name);
            }
        });
        record(anyNotArchived);
        int total = archived.size() + notArchived.size();
        System.out.printf("%s: %d of %d classes of %s from the archive; not archived: %s%n", uri, archived.size(),
                total, packages, notArchived);
        assertThat(total).as("classes of %s loaded in a run on %s", packages, uri).isPositive();
        assertThat(archived.size() * 100)
                .as("%d of %d classes of %s came from the archive in a run on %s; not archived: %s",
                        archived.size(), total, packages, uri, notArchived)
                .isGreaterThanOrEqualTo(total * MIN_SHARE_PERCENT);
    }

    /**
     * Classes a class name cannot load, which the archive takes only as the training makes them:
     * lambdas, method-handle forms, dynamic proxies, reflection accessors.
     */
    private static boolean generatedAtRunTime(String name) {
        return name.contains("$$Lambda") || name.contains("LambdaForm$") || name.contains("$Proxy")
                || name.contains(".Generated");
    }

    /**
     * Adds what a run loaded outside the archive to {@code target/archive-classes-missing.txt}: the
     * lines to add to {@code src/main/resources/io/distlock/cli/archive-classes.txt}, which the
     * training run loads by name, when a dependency's update moves its classes.
     */
    private static synchronized void record(List<String> notArchived) throws IOException {
        Path missing = Path.of("target", "archive-classes-missing.txt");
        Set<String> all = new TreeSet<>(notArchived);
        if (Files.exists(missing)) {
            all.addAll(Files.readAllLines(missing));
        }
        Files.createDirectories(missing.getParent());
        Files.write(missing, all);
    }

    /** {@code bin/distlock run --name x -- true} in a plain environment, with the class-loading log when {@code log} is set. */
    private static Finished distlock(Map<String, String> env, Path log) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("PATH", "/usr/bin:/bin:" + JDK_BIN);
        all.put("HOME", root.resolve("home").toString());
        if (log != null) {
            all.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);
        }
        return run(List.of(home.resolve("bin/distlock").toString(), "run", "--name", "x", "--", "true"), all,
                root);
    }

    private static Finished run(List<String> command, Map<String, String> env, Path workDir) throws Exception {
        Path out = Files.createTempFile("archive-it", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectErrorStream(true);
            if (workDir != null) {
                builder.directory(workDir.toFile());
                builder.environment().clear();
            }
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("'" + String.join(" ", command) + "' did not end within " + DEADLINE_SECONDS + " s");
            }
            return new Finished(process.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private record Finished(int status, String output) {
        @Override
        public String toString() {
            return "exit " + status + ", output [" + output + "]";
        }
    }
}
