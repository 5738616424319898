package io.distlock.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The command-line distribution as an operator installs it: the archive that {@code mvn package}
 * built, unpacked into a temporary directory outside the repository, and its {@code bin/distlock}
 * run from another directory with nothing but a JDK: an environment of its own whose PATH is
 * {@code /usr/bin:/bin} and the JDK's {@code bin}, so no Maven, no source tree and no
 * {@code JAVA_HOME}. Commands that hold a lock wait for a line on their standard input, so the
 * test decides when they end; nothing here sleeps to synchronize.
 */
@Timeout(180)
class DistributionIT {
    private static final String VERSION = System.getProperty("distlock.version", "0.1.0-SNAPSHOT");
    private static final Path ARCHIVE = Path.of(System.getProperty("distlock.archive",
            "target/distlock-" + VERSION + ".tar.gz")).toAbsolutePath().normalize();
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path JDK_BIN = Path.of(System.getProperty("java.home"), "bin");
    private static final long DEADLINE_SECONDS = 60;

    @TempDir
    static Path installRoot;

    private static Path home;

    @TempDir
    Path temp;

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void unpackTheArchive() throws Exception {
        assertThat(ARCHIVE).as("mvn package builds the archive").isRegularFile();
        assertThat(installRoot.toRealPath().startsWith(REPOSITORY.toRealPath()))
                .as("%s must be outside the repository %s", installRoot, REPOSITORY).isFalse();
        home = unpack(installRoot);
        assertThat(home.resolve("bin/distlock")).isExecutable();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(home.resolve("NOTICE")).isRegularFile();
        assertThat(home.resolve("THIRD-PARTY.txt")).isRegularFile();
        assertThat(home.resolve("lib/distlock-cli-" + VERSION + ".jar")).isRegularFile();
        // The completion and man page the build wrote from the command model (CompletionAndManPageTest).
        for (String shared : List.of(Docs.COMPLETION, Docs.MAN_PAGE)) {
            assertThat(home.resolve("share").resolve(shared)).as("share/%s", shared)
                    .hasSameBinaryContentAs(Path.of("target/share").resolve(shared));
        }
    }

    /** Unpacks the archive into {@code dir} with tar, as an operator would, and returns the installation. */
    private static Path unpack(Path dir) throws Exception {
        Path out = Files.createTempFile("tar", ".out");
        try {
            Finished untar = finish(new ProcessBuilder("tar", "-xzf", ARCHIVE.toString(), "-C", dir.toString())
                    .redirectOutput(out.toFile()).redirectErrorStream(true).start(), out, null, "tar");
            assertThat(untar.status()).as("%s", untar).isZero();
        } finally {
            Files.deleteIfExists(out);
        }
        try (Stream<Path> top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString()))
                    .as("one top directory, distlock-VERSION").containsExactly("distlock-" + VERSION);
        }
        return dir.resolve("distlock-" + VERSION);
    }

    @AfterEach
    void stopLeftovers() {
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }

    @Test
    void versionNamesTheReleaseAndTheCommitItWasBuiltFrom() throws Exception {
        Finished version = distlock(home, "--version");

        assertThat(version.status()).as("%s", version).isZero();
        assertThat(version.err()).isEmpty();
        assertThat(version.out().trim()).isEqualTo("distlock " + VERSION + " (commit " + expectedCommit() + ")");
    }

    @Test
    void runStatusAndList_fromAnotherDirectoryWithOnlyAJdk() throws Exception {
        Finished run = distlock(home, "run", "--name", "x", "--", "true");
        assertThat(run.status()).as("%s", run).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEmpty();

        Finished free = distlock(home, "status", "x");
        assertThat(free.status()).as("%s", free).isEqualTo(1);
        assertThat(free.out().trim()).isEqualTo("'x' is free");

        Path ready = temp.resolve("ready");
        Process holder = start(home, "run", "--name", "x", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line; exit 3", ready.toString());
        Launcher.awaitContent(ready);

        Finished held = distlock(home, "status", "x");
        assertThat(held.status()).as("%s", held).isZero();
        assertThat(held.out()).startsWith("'x' is held by host ").contains("pid " + holder.pid() + " ");

        Finished list = distlock(home, "list");
        assertThat(list.status()).as("%s", list).isZero();
        assertThat(list.out().lines()).hasSize(2);
        assertThat(list.out().lines().toList().get(0)).startsWith("NAME");
        assertThat(list.out().lines().toList().get(1)).startsWith("x ").contains(" " + holder.pid() + " ");

        tell(holder, "done");
        assertThat(holder.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(holder.exitValue()).as("the command's own status passes through").isEqualTo(3);
        assertThat(distlock(home, "status", "x").status()).isEqualTo(1);
        assertThat(distlock(home, "list").out()).isEmpty();
    }

    @Test
    void theFirstRunRecordsAClassDataSharingArchiveInTheInstallation_andLaterRunsKeepIt() throws Exception {
        Path fresh = unpack(Files.createDirectory(temp.resolve("fresh")));
        Path cds = fresh.resolve("cds");
        assertThat(cds).doesNotExist();

        Finished first = distlock(fresh, "run", "--name", "cds", "--", "true");
        assertThat(first.status()).as("%s", first).isZero();
        assertThat(first.err()).isEmpty();
        List<Path> archives = jsaFiles(cds);
        assertThat(archives).as("one archive for this JVM in %s", cds).hasSize(1);
        FileTime recorded = Files.getLastModifiedTime(archives.get(0));

        assertThat(distlock(fresh, "run", "--name", "cds", "--", "true").status()).isZero();
        assertThat(jsaFiles(cds)).containsExactlyElementsOf(archives);
        assertThat(Files.getLastModifiedTime(archives.get(0))).as("not recorded again").isEqualTo(recorded);
    }

    @Test
    void anInstallationItCannotWriteTo_keepsTheArchiveInTheUsersCache() throws Exception {
        // A second, read-only installation: root owns it and the runs are a plain user's (as root,
        // setpriv drops to nobody; otherwise the directory is made read-only for this user).
        Path readOnlyHome = unpack(Files.createDirectory(temp.resolve("opt")));
        Path userHome = Files.createDirectory(temp.resolve("user-home"));
        Path locks = Files.createDirectory(temp.resolve("user-locks"));
        boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        if (root) {
            for (Path dir = temp; dir.getNameCount() > 0 && !dir.equals(Path.of("/tmp")); dir = dir.getParent()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            for (Path dir : List.of(userHome, locks)) {
                Files.setAttribute(dir, "unix:uid", NOBODY);
                Files.setAttribute(dir, "unix:gid", NOBODY);
            }
        } else {
            Files.setPosixFilePermissions(readOnlyHome, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            Finished run = run(readOnlyHome, root, Map.of("HOME", userHome.toString(),
                    "DISTLOCK_BACKEND", "file:" + locks), "run", "--name", "x", "--", "true");

            assertThat(run.status()).as("%s", run).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(readOnlyHome.resolve("cds")).doesNotExist();
            assertThat(jsaFiles(userHome.resolve(".cache/distlock"))).hasSize(1);
        } finally {
            Files.setPosixFilePermissions(readOnlyHome, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void bin_onThePathThroughASymlink() throws Exception {
        Path onPath = Files.createDirectory(temp.resolve("path-bin"));
        Files.createSymbolicLink(onPath.resolve("distlock"), home.resolve("bin/distlock"));

        Path out = temp.resolve("by-name.out");
        Path err = temp.resolve("by-name.err");
        // A shell finds it on the child's PATH (Java would search its own).
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", "distlock run --name y -- sh -c 'exit 7'")
                .directory(temp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        plainEnvironment(builder.environment(), Map.of());
        builder.environment().put("PATH", onPath + ":" + builder.environment().get("PATH"));
        Process process = builder.start();
        started.add(process);
        Finished byName = finish(process, out, err, "distlock run (by name)");

        assertThat(byName.status()).as("%s", byName).isEqualTo(7);
        assertThat(byName.err()).isEmpty();
    }

    private static final int NOBODY = 65534;

    private Finished distlock(Path installation, String... args) throws IOException {
        return run(installation, false, Map.of(), args);
    }

    private Finished run(Path installation, boolean asNobody, Map<String, String> extra, String... args)
            throws IOException {
        Path out = Files.createTempFile(temp, "out-", ".txt");
        Path err = Files.createTempFile(temp, "err-", ".txt");
        Process process = builder(installation, asNobody, extra, args)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        started.add(process);
        return finish(process, out, err, String.join(" ", args));
    }

    private Process start(Path installation, String... args) throws IOException {
        Process process = builder(installation, false, Map.of(), args)
                .redirectOutput(temp.resolve("holder.out").toFile())
                .redirectError(temp.resolve("holder.err").toFile())
                .start();
        started.add(process);
        return process;
    }

    private ProcessBuilder builder(Path installation, boolean asNobody, Map<String, String> extra, String... args) {
        List<String> command = new ArrayList<>();
        if (asNobody) {
            command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        command.add(installation.resolve("bin/distlock").toString());
        command.addAll(List.of(args));
        Path workDir = temp.resolve("work");
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        plainEnvironment(builder.environment(), extra);
        return builder;
    }

    /** Only a PATH with the system's and the JDK's commands, a home, and a private lock directory. */
    private void plainEnvironment(Map<String, String> environment, Map<String, String> extra) {
        environment.clear();
        environment.put("PATH", "/usr/bin:/bin:" + JDK_BIN);
        environment.put("HOME", temp.resolve("home").toString());
        environment.put("DISTLOCK_BACKEND", "file:" + temp.resolve("locks"));
        environment.putAll(extra);
    }

    private static void tell(Process process, String line) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private static List<Path> jsaFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    /** HEAD of the repository this was built from, as the build recorded it; "unknown" without Git. */
    private static String expectedCommit() throws Exception {
        if (!Files.exists(REPOSITORY.resolve(".git"))) {
            return "unknown";
        }
        Path out = Files.createTempFile("git-head", ".txt");
        try {
            Finished head = finish(new ProcessBuilder("git", "-C", REPOSITORY.toString(), "rev-parse", "HEAD")
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start(),
                    out, null, "git rev-parse HEAD");
            assertThat(head.status()).as("%s", head).isZero();
            return head.out().trim();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Finished finish(Process process, Path out, Path err, String what) throws IOException {
        try {
            if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("'" + what + "' did not end within " + DEADLINE_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            fail("interrupted");
        }
        return new Finished(process.exitValue(), Files.readString(out), err == null ? "" : Files.readString(err));
    }

    record Finished(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + ", stdout [" + out + "], stderr [" + err + "]";
        }
    }
}
