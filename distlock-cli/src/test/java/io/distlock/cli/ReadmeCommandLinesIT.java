package io.distlock.cli;

import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.RedisServers;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every {@code distlock} command line in the READMEs, run as written against private servers
 * (issue 23: {@code ./distlock --backend URI run ...}, as the JDBC and ZooKeeper READMEs wrote it,
 * was refused, and the install steps named an archive the build does not make). Each line of a
 * {@code sh} code block whose command is {@code distlock} or {@code ./distlock} is run by bash,
 * with only what names this machine's servers and files replaced: hosts and ports by the private
 * servers', {@code /srv}, {@code /var}, {@code /etc} and {@code /opt} paths by the same paths in a
 * temporary directory, the group {@code ops} by the test's own, and each {@code *.sh} it runs by a
 * stub that prints its name. Then the documented outcome is checked: {@code run} runs CMD and exits
 * 0 (and 75 while another holds the lock, where the line says so), {@code status}, {@code list}
 * and {@code release --force} answer both while the lock is free and while a run holds it. The
 * install block is run whole, into the temporary directory.
 */
@Timeout(900)
class ReadmeCommandLinesIT {
    static final Path ROOT = Launcher.SCRIPT.getParent();
    static final List<String> READMES = List.of("README.md", "distlock-cli/README.md", "distlock-file/README.md",
            "distlock-redis/README.md", "distlock-memcached/README.md", "distlock-zookeeper/README.md",
            "distlock-jdbc/README.md");
    /** The root README's Redis example carries this password in its URI; the others get it from the variable. */
    private static final String REDIS_PASSWORD = "secret";
    private static final String APP_PASSWORD = "app-secret";
    private static final Pattern SERVER_URI = Pattern.compile(
            "(redis|rediss|memcached|zookeeper|jdbc:postgresql|jdbc:mariadb|jdbc:mysql)://([^@/?'\"\\s]*@)?([^/?'\"\\s]+)");
    private static final Pattern MACHINE_PATH = Pattern.compile("(?<=[\\s'\"=:])/(srv|var|etc|opt)/");
    private static final Pattern SCRIPT = Pattern.compile("(?<=[\\s'\"=])(\\.?/[^\\s'\"]*\\.sh)(?=[\\s'\"]|$)");
    private static final Pattern BACKEND_OPTION = Pattern.compile("--backend[= ](?:'([^']*)'|\"([^\"]*)\"|(\\S+))");
    private static final Pattern BACKEND_VARIABLE = Pattern.compile("DISTLOCK_BACKEND=(?:'([^']*)'|\"([^\"]*)\"|(\\S+))");
    private static final Pattern SYNOPSIS = Pattern.compile("\\[|\\.\\.\\.|\\b[A-Z]{2,}\\b");
    private static final Set<String> COMMANDS = Set.of("run", "status", "list", "release");

    private static Path work;
    private static ServerProcess redis;
    private static ServerProcess memcached;
    private static ServerProcess zookeeper;
    private static ServerProcess postgres;
    private static ServerProcess mariadb;
    /** Another MariaDB for the jdbc:mysql: lines, reached through Connector/J: their database app has the other token source. */
    private static ServerProcess mysqlLike;
    /** A trust store with the test CA, standing in for the JVM's own (where sslMode=VERIFY_IDENTITY looks by default). */
    private static Path trustStore;
    private static Map<String, String> servers;

    /** One command line of a README: where it is, its text, and the block it stands in. */
    record Example(String readme, int line, String text) {
        @Override
        public String toString() {
            return readme + ":" + line + ": " + text;
        }
    }

    @BeforeAll
    static void startServers() throws Exception {
        work = Files.createTempDirectory("distlock-readme-");
        Path tls = Files.createDirectories(work.resolve("tls"));
        makeCertificates(tls);
        redis = RedisServers.start("--requirepass", REDIS_PASSWORD);
        memcached = TestBackend.MEMCACHED.start();
        zookeeper = TestBackend.ZOOKEEPER.start();
        postgres = TestBackend.POSTGRES.start();
        mariadb = MariaDbServers.start("--ssl-cert=" + tls.resolve("server.crt"), "--ssl-key=" + tls.resolve("server.key"),
                "--ssl-ca=" + tls.resolve("ca.crt"));
        mysqlLike = MariaDbServers.start("--ssl-cert=" + tls.resolve("server.crt"), "--ssl-key=" + tls.resolve("server.key"),
                "--ssl-ca=" + tls.resolve("ca.crt"));
        preparePostgres(tls);
        prepareMariaDb(mariadb);
        prepareMariaDb(mysqlLike);
        // The CA the TLS examples name, where they name it (below the temporary directory).
        Path ca = work.resolve("etc/ssl/db-ca.pem");
        Files.createDirectories(ca.getParent());
        Files.copy(tls.resolve("ca.crt"), ca);
        // The same CA as the PKCS12 trust store the MySQL TLS example names, without a password.
        trustStore = work.resolve("etc/ssl/db-ca.p12");
        keytool("-importcert", "-noprompt", "-alias", "db-ca", "-file", tls.resolve("ca.crt").toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", "unused-password",
                "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE");
        servers = Map.of("redis", at(redis), "rediss", at(redis), "memcached", at(memcached),
                "zookeeper", at(zookeeper), "jdbc:postgresql", at(postgres), "jdbc:mariadb", at(mariadb), "jdbc:mysql", at(mysqlLike));
    }

    @AfterAll
    static void stopServers() throws IOException {
        for (ServerProcess server : new ServerProcess[] {redis, memcached, zookeeper, mariadb, mysqlLike}) {
            if (server != null) {
                server.close();
            }
        }
        if (postgres != null) {
            TestBackend.POSTGRES.stop(postgres);
            postgres.close();
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static String at(ServerProcess server) {
        return server.host() + ":" + server.port();
    }

    // ------------------------------------------------------------------ the examples

    /** The {@code distlock} lines of every README's {@code sh} blocks, in order. */
    static List<Example> examples() throws IOException {
        List<Example> found = new ArrayList<>();
        for (String readme : READMES) {
            List<String> lines = Files.readAllLines(ROOT.resolve(readme), StandardCharsets.UTF_8);
            String fence = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("```")) {
                    fence = fence == null ? line.substring(3).trim() : null;
                    continue;
                }
                if (fence == null || !isDistlockLine(line)) {
                    continue;
                }
                if (fence.equals("sh") || fence.equals("bash")) {
                    found.add(new Example(readme, i + 1, line.strip()));
                } else {
                    // A synopsis (`distlock run [--name N] ...`, `distlock status NAME`) is not run;
                    // anything else must be in an sh block.
                    assertThat(SYNOPSIS.matcher(line).find()).as("%s:%d is a command line outside an sh block: "
                            + "mark the block sh, or write it as a synopsis (placeholders in capitals)", readme, i + 1)
                            .isTrue();
                }
            }
        }
        return found;
    }

    /** Whether the line's command, after any {@code VAR=value} assignments, is {@code distlock}. */
    static boolean isDistlockLine(String line) {
        List<String> words = words(line);
        int at = 0;
        while (at < words.size() && words.get(at).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            at++;
        }
        return at < words.size() && (words.get(at).equals("distlock") || words.get(at).equals("./distlock"));
    }

    @Test
    void everyReadmeHasCommandLinesAndTheyAreFound() throws IOException {
        List<Example> examples = examples();
        Set<String> readmes = new TreeSet<>();
        examples.forEach(example -> readmes.add(example.readme()));
        assertThat(readmes).as("every README shows the command line").containsExactlyInAnyOrderElementsOf(READMES);
        assertThat(examples).hasSizeGreaterThanOrEqualTo(15);
    }

    @TestFactory
    Stream<DynamicTest> everyCommandLineDoesWhatItsReadmeSays() throws IOException {
        return examples().stream().filter(example -> !isInstallBlock(example))
                .map(example -> DynamicTest.dynamicTest(example.toString(), () -> check(example)));
    }

    /** The install block: run whole, as one script, after the build this test runs in. */
    @Test
    void theInstallStepsInstallAWorkingDistlock() throws Exception {
        List<String> block = installBlock();
        Path dir = Files.createDirectories(work.resolve("install"));
        stub(dir.resolve("report.sh"));
        Path bin = Files.createDirectories(dir.resolve("usr/local/bin"));
        Files.createDirectories(dir.resolve("opt"));
        StringBuilder script = new StringBuilder("set -e\n");
        for (String line : block) {
            if (line.startsWith("mvn ")) {
                continue; // the archive was built by the build that runs this test
            }
            script.append(line.replace("sudo ", "").replace("distlock-cli/target/", ROOT.resolve("distlock-cli/target") + "/")
                    .replace("/opt", dir.resolve("opt").toString()).replace("/usr/local/bin/", bin + "/")).append('\n');
        }
        Finished done = bash(script.toString(), dir, Map.of("PATH", bin + ":" + System.getenv("PATH"),
                BackendOption.VARIABLE, "file:" + dir.resolve("locks")));
        assertThat(done.status()).as("%s\n%s", script, done).isZero();
        String version = System.getProperty("distlock.version", "");
        assertThat(done.out()).as("%s", done).containsPattern("distlock " + Pattern.quote(version)
                + " \\(commit ([0-9a-f]{40}|unknown)\\)").contains("ran report.sh");
        try (Stream<Path> installed = Files.list(dir.resolve("opt"))) {
            assertThat(installed.map(p -> p.getFileName().toString())).containsExactly("distlock-" + version);
        }
    }

    private static boolean isInstallBlock(Example example) {
        try {
            return installBlock().contains(example.text());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The root README's sh block that unpacks the archive. */
    private static List<String> installBlock() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> block = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                if (in && block.stream().anyMatch(l -> l.contains("tar -xzf"))) {
                    return block;
                }
                in = !in && line.equals("```sh");
                block.clear();
                continue;
            }
            if (in) {
                block.add(line.strip());
            }
        }
        return fail("the root README has no sh block with the install steps (tar -xzf)");
    }

    // ------------------------------------------------------------------ running one line

    private void check(Example example) throws Exception {
        Path dir = Files.createTempDirectory(work, "line-");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(dir.resolve("distlock"), Launcher.SCRIPT);
        Files.createSymbolicLink(bin.resolve("distlock"), Launcher.SCRIPT);
        String line = substituted(example.text(), dir);
        Matcher scripts = SCRIPT.matcher(line);
        while (scripts.find()) {
            String script = scripts.group(1);
            stub(script.startsWith("/") ? Path.of(script) : dir.resolve(script));
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put(BackendOption.VARIABLE, "file:" + dir.resolve("locks"));
        env.put("DISTLOCK_REDIS_PASSWORD", REDIS_PASSWORD);
        env.put("DISTLOCK_JDBC_PASSWORD", APP_PASSWORD);
        if (line.contains("sslMode=VERIFY_IDENTITY") && !line.contains("trustCertificateKeyStoreUrl")) {
            // Connector/J then checks the server against the JVM's trust store: this machine's has the test CA.
            env.put("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=" + trustStore + " -Djavax.net.ssl.trustStoreType=PKCS12");
        }

        List<String> words = words(line);
        String comment = line.contains(" # ") ? line.substring(line.indexOf(" # ") + 3) : "";
        String command = words.stream().filter(w -> COMMANDS.contains(w) || w.equals("--version")).findFirst()
                .orElseGet(() -> fail("%s names no distlock command", example));
        Map<String, String> holderEnv = new LinkedHashMap<>(env);
        holderEnv.remove(BackendOption.VARIABLE);
        Launcher holderLauncher = new Launcher(dir, backendOf(line, env), holderEnv);
        switch (command) {
            case "--version" -> {
                Finished done = bash(line, dir, env);
                assertThat(done.status()).as("%s: %s", example, done).isZero();
                assertThat(done.out()).as("%s", example).startsWith("distlock ");
            }
            case "run" -> {
                Finished done = bash(line, dir, env);
                assertThat(done.status()).as("%s: %s", example, done).isZero();
                assertThat(done.out()).as("%s: CMD ran", example).isNotBlank();
                if (line.contains(".sh")) {
                    assertThat(done.out()).as("%s", example).contains("ran ");
                }
                if (comment.contains("exits 75")) {
                    String name = valueAfter(words, "--name", example);
                    whileHeld(holderLauncher, name, dir, () -> {
                        Finished busy = bash(line, dir, env);
                        assertThat(busy.status()).as("%s while another holds '%s': %s", example, name, busy).isEqualTo(75);
                        assertThat(busy.errLines()).as("%s", example).singleElement().asString()
                                .contains("'" + name + "' is held by");
                    });
                }
            }
            case "status" -> {
                String name = words.get(words.size() - 1);
                boolean json = words.contains("--json");
                Finished free = bash(line, dir, env);
                assertThat(free.status()).as("%s, free: %s", example, free).isEqualTo(1);
                assertThat(free.out()).as("%s", example).isEqualTo(json ? "{\"name\":\"" + name + "\",\"held\":false}\n"
                        : "'" + name + "' is free\n");
                whileHeld(holderLauncher, name, dir, () -> {
                    Finished held = bash(line, dir, env);
                    assertThat(held.status()).as("%s, held: %s", example, held).isZero();
                    assertThat(held.out()).as("%s", example).contains(json ? "\"held\":true" : "'" + name + "' is held by");
                });
            }
            case "list" -> {
                Finished empty = bash(line, dir, env);
                assertThat(empty.status()).as("%s, nothing held: %s", example, empty).isZero();
                assertThat(empty.out()).as("%s", example).isIn("", "[]\n");
                String name = "readme-list-" + example.line();
                whileHeld(holderLauncher, name, dir, () -> {
                    Finished listed = bash(line, dir, env);
                    assertThat(listed.status()).as("%s, one held: %s", example, listed).isZero();
                    assertThat(listed.out()).as("%s", example).startsWith("NAME").contains(name);
                });
            }
            case "release" -> {
                String name = words.get(words.size() - 1);
                assertThat(words).as("%s", example).contains("--force");
                Finished free = bash(line, dir, env);
                assertThat(free.status()).as("%s, free: %s", example, free).isZero();
                assertThat(free.out()).as("%s", example).isEqualTo("'" + name + "' was not held; nothing to release\n");
                Running holder = holderLauncher.start("run", "--name", name, "--expires", "60s", "--", "sh", "-c",
                        "echo $$ > \"$0\"; read line", dir.resolve("holder-ready").toString());
                try {
                    Launcher.awaitContent(dir.resolve("holder-ready"));
                    Finished released = bash(line, dir, env);
                    assertThat(released.status()).as("%s, held: %s", example, released).isZero();
                    assertThat(released.out()).as("%s", example).startsWith("released '" + name + "', which was held by");
                    holder.tell("done");
                    Finished old = holder.finish();
                    assertThat(old.err()).as("the old holder is told: %s", old)
                            .contains("lost lock '" + name + "'", "force-released");
                } finally {
                    holder.kill();
                }
            }
            default -> fail("%s: no documented outcome is known for '%s'", example, command);
        }
    }

    /** The line with this machine's servers and paths in place of the README's. */
    static String substituted(String line, Path dir) {
        Matcher uri = SERVER_URI.matcher(line);
        StringBuilder out = new StringBuilder();
        while (uri.find()) {
            String server = servers.get(uri.group(1));
            uri.appendReplacement(out, Matcher.quoteReplacement(uri.group(1) + "://"
                    + (uri.group(2) == null ? "" : uri.group(2)) + server));
        }
        uri.appendTail(out);
        String local = MACHINE_PATH.matcher(out.toString()).replaceAll(Matcher.quoteReplacement(dir.toString()) + "/$1/");
        local = local.replace(dir + "/etc/ssl/", work + "/etc/ssl/");
        return local.replace("group=ops", "group=" + ownGroup());
    }

    private static String ownGroup() {
        try {
            Process id = new ProcessBuilder("id", "-gn").start();
            String group = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(id.waitFor(10, TimeUnit.SECONDS)).isTrue();
            return group;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The backend the line uses: its --backend, else its DISTLOCK_BACKEND, else the environment's. */
    private static String backendOf(String line, Map<String, String> env) {
        for (Pattern pattern : List.of(BACKEND_OPTION, BACKEND_VARIABLE)) {
            Matcher found = pattern.matcher(line);
            if (found.find()) {
                return found.group(1) != null ? found.group(1) : found.group(2) != null ? found.group(2) : found.group(3);
            }
        }
        return env.get(BackendOption.VARIABLE);
    }

    private interface Check {
        void run() throws Exception;
    }

    /** Runs {@code check} while a {@code distlock run} holds {@code name} on the same backend. */
    private static void whileHeld(Launcher launcher, String name, Path dir, Check check) throws Exception {
        Path ready = dir.resolve("ready-" + name.replaceAll("[^A-Za-z0-9-]", "_"));
        Running holder = launcher.start("run", "--name", name, "--", "sh", "-c", "echo $$ > \"$0\"; read line",
                ready.toString());
        try {
            Launcher.awaitContent(ready);
            check.run();
            holder.tell("done");
            Finished done = holder.finish();
            assertThat(done.status()).as("the holder: %s", done).isZero();
        } finally {
            holder.kill();
        }
    }

    private static String valueAfter(List<String> words, String option, Example example) {
        int at = words.indexOf(option);
        if (at < 0 || at + 1 >= words.size()) {
            return fail("%s has no %s", example, option);
        }
        return words.get(at + 1);
    }

    private static Finished bash(String script, Path dir, Map<String, String> env) throws IOException {
        Path out = Files.createTempFile(dir, "out-", ".txt");
        Path err = Files.createTempFile(dir, "err-", ".txt");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("DISTLOCK_DEBUG");
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            if (!process.waitFor(Launcher.DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("'%s' did not end within %s; stderr: %s", script, Launcher.DEADLINE.multipliedBy(2),
                        Files.readString(err));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            fail("interrupted");
        }
        return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A script that says it ran, with its arguments. */
    private static void stub(Path script) throws IOException {
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\necho \"ran $(basename \"$0\") $*\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Shell words, quotes removed, up to a comment. Enough for the READMEs' lines, not a shell. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                break;
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    // ------------------------------------------------------------------ servers as the READMEs name them

    /** The {@code app} user and database of the JDBC README, and TLS for its verify-full example. */
    private static void preparePostgres(Path tls) throws Exception {
        Path serverDir = postgres.directory();
        Files.copy(tls.resolve("server.crt"), serverDir.resolve("server.crt"));
        Files.copy(tls.resolve("server.key"), serverDir.resolve("server.key"));
        Files.setPosixFilePermissions(serverDir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        if ("root".equals(System.getProperty("user.name"))) {
            // The server runs as postgres, and reads its key only if it owns it.
            Process chown = new ProcessBuilder("chown", "postgres:postgres", serverDir.resolve("server.crt").toString(),
                    serverDir.resolve("server.key").toString()).inheritIO().start();
            assertThat(chown.waitFor(30, TimeUnit.SECONDS) && chown.exitValue() == 0).as("chown").isTrue();
        }
        try (Connection admin = PostgresServers.connect(postgres); Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE app LOGIN PASSWORD '" + APP_PASSWORD + "'");
            sql.execute("CREATE DATABASE app OWNER app");
            sql.execute("ALTER SYSTEM SET ssl_cert_file = '" + serverDir.resolve("server.crt") + "'");
            sql.execute("ALTER SYSTEM SET ssl_key_file = '" + serverDir.resolve("server.key") + "'");
            sql.execute("ALTER SYSTEM SET ssl = on");
            sql.execute("SELECT pg_reload_conf()");
        }
        // The reload is asynchronous: wait until a verified TLS connection is served.
        Properties properties = new Properties();
        properties.setProperty("user", "app");
        properties.setProperty("password", APP_PASSWORD);
        properties.setProperty("sslmode", "verify-full");
        properties.setProperty("sslrootcert", tls.resolve("ca.crt").toString());
        String url = "jdbc:postgresql://" + at(postgres) + "/app";
        Launcher.await("PostgreSQL serving TLS after its reload", () -> {
            try (Connection connection = DriverManager.getConnection(url, properties)) {
                return connection.isValid(2);
            } catch (SQLException notYet) {
                return false;
            }
        });
    }

    private static void prepareMariaDb(ServerProcess server) throws SQLException {
        try (Connection root = MariaDbServers.root(server); Statement sql = root.createStatement()) {
            sql.execute("CREATE DATABASE app");
            sql.execute("CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '" + APP_PASSWORD + "'");
            sql.execute("GRANT ALL ON app.* TO 'app'@'127.0.0.1'");
        }
    }

    /** A CA and a server certificate for 127.0.0.1 signed by it, valid for a day. */
    private static void makeCertificates(Path dir) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\n", StandardCharsets.UTF_8);
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=distlock test CA",
                "-keyout", "ca.key", "-out", "ca.crt");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", "server.key", "-out", "server.csr");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", "server.ext", "-out", "server.crt");
        // mariadbd, which may run as another user, reads these.
        for (String file : List.of("ca.crt", "server.crt", "server.key")) {
            Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("keytool " + String.join(" ", arguments) + " failed: " + output);
        }
    }

    private static void openssl(Path dir, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("openssl is needed to make the test certificates: "
                    + "install it with: apt-get install -y openssl", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("openssl " + String.join(" ", arguments) + " failed: " + output);
        }
    }
}
