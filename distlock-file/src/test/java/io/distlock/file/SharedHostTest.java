package io.distlock.file;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The file backend on a host shared with other, possibly hostile, users (issue #20): what another
 * uid can plant (directories, symbolic links, a replaced layout) is refused with a message that
 * says what happened, and users share locks only in a group directory they chose. These tests make
 * files of other users (chown) and run JVMs as other uids (setpriv), so they need root, which CI
 * has: without it they fail, they do not skip.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedHostTest {
    private static final int NOBODY = 65534;
    /** Uids with no passwd entry: the JVM calls both of them "?". */
    private static final int NAMELESS_1 = 70_001;
    private static final int NAMELESS_2 = 70_002;
    private static final String GROUP = "users";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String savedTmpdir;

    @BeforeEach
    void requireRoot() throws IOException {
        Path probe = Files.createFile(directory.resolve("probe"));
        assertThat(Files.getAttribute(probe, "unix:uid"))
                .as("SharedHostTest needs root (as CI runs it): it chowns files to other users and runs JVMs as them")
                .isEqualTo(0);
        Files.delete(probe);
        // Other users' child JVMs must reach what lies here.
        Files.setAttribute(directory, "unix:mode", 0755);
        savedTmpdir = System.getProperty("java.io.tmpdir");
    }

    @AfterEach
    void closeAll() throws Exception {
        System.setProperty("java.io.tmpdir", savedTmpdir);
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ------------------------------------------------------------------ the default directory

    @Test
    void aDefaultDirectoryAnotherUserMadeFirstIsRefusedWithWhatHappened() throws IOException {
        Path tmp = stickyTmp();
        for (int mode : new int[]{01777, 0755}) {
            Path taken = FileLockBackend.defaultDirectory();
            Files.createDirectory(taken);
            Files.setAttribute(taken, "unix:uid", NOBODY);
            Files.setAttribute(taken, "unix:mode", mode);

            for (Runnable open : List.<Runnable>of(FileLockBackend::inDefaultDirectory,
                    () -> LockBackends.open("file:").close())) {
                assertThatThrownBy(open::run).isInstanceOf(LockBackendException.class)
                        .hasMessageContaining(taken.toString())
                        .hasMessageContaining("uid " + NOBODY)
                        .hasMessageContaining(String.format("%04o", mode))
                        .hasMessageContaining("another user created it")
                        .hasMessageContaining("file:");
            }
            assertThat(listing(taken)).as("nothing written into %s", taken).isEmpty();
            Files.delete(taken);
        }
        Path elsewhere = Files.createDirectory(directory.resolve("elsewhere"));
        Path planted = Files.createSymbolicLink(FileLockBackend.defaultDirectory(), elsewhere);
        Files.setAttribute(planted, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
        assertThatThrownBy(FileLockBackend::inDefaultDirectory).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(planted.toString())
                .hasMessageContaining("uid " + NOBODY)
                .hasMessageContaining("another user created it");
        assertThat(listing(elsewhere)).as("nothing written through the link").isEmpty();
        assertThat(FileLockBackend.defaultDirectory().getParent()).isEqualTo(tmp);
    }

    @Test
    void theDefaultDirectoryIsNamedByTheNumericUid() throws IOException {
        Path tmp = stickyTmp();
        assertThat(FileLockBackend.defaultDirectory()).isEqualTo(tmp.resolve("distlock-0"));
        try (FileLockBackend backend = FileLockBackend.inDefaultDirectory()) {
            assertThat(backend.describe()).isEqualTo("file:" + tmp.resolve("distlock-0"));
        }
        assertThat(Files.getAttribute(tmp.resolve("distlock-0"), "unix:mode")).isEqualTo(040700);
    }

    @Test
    void usersWithoutPasswdEntriesGetDirectoriesOfTheirOwn() throws Exception {
        Path tmp = stickyTmp();
        for (int uid : new int[]{NAMELESS_1, NAMELESS_2}) {
            assertThat(new ProcessBuilder("getent", "passwd", Integer.toString(uid)).start().waitFor())
                    .as("uid %d must have no passwd entry for this test", uid).isEqualTo(2);
        }
        String first = asUser(NAMELESS_1, List.of(), "describe", "file:").readLine(PATIENCE);
        String second = asUser(NAMELESS_2, List.of(), "describe", "file:").readLine(PATIENCE);
        assertThat(first).isEqualTo("DESCRIBE file:" + tmp.resolve("distlock-" + NAMELESS_1));
        assertThat(second).isEqualTo("DESCRIBE file:" + tmp.resolve("distlock-" + NAMELESS_2));
        assertThat(Files.getAttribute(tmp.resolve("distlock-" + NAMELESS_1), "unix:uid")).isEqualTo(NAMELESS_1);
    }

    // ------------------------------------------------------------------ links and replaced layouts

    @Test
    void aPlantedNamespaceLinkIsRefusedAndNothingIsWrittenThroughIt() throws IOException {
        Path base = Files.createDirectory(directory.resolve("base"));
        Path elsewhere = Files.createDirectory(directory.resolve("elsewhere"));
        Path planted = Files.createSymbolicLink(base.resolve(FileLockBackend.DEFAULT_NAMESPACE), elsewhere);

        assertThatThrownBy(() -> FileLockBackend.builder().directory(base).build())
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining(planted.toString())
                .hasMessageContaining("symbolic link");
        assertThat(listing(elsewhere)).isEmpty();
        assertThat(Files.getAttribute(elsewhere, "unix:mode")).as("not chmodded").isEqualTo(040755);
    }

    @Test
    void aLinkOnTheWayThatAnotherUserOwnsIsNotFollowed() throws IOException {
        Path sticky = Files.createDirectory(directory.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path elsewhere = Files.createDirectory(directory.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(sticky.resolve("locks"), elsewhere);
        Files.setAttribute(link, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);

        assertThatThrownBy(() -> FileLockBackend.builder().directory(link).build())
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining(link.toString())
                .hasMessageContaining("uid " + NOBODY)
                .hasMessageContaining("symbolic link that another user owns");
        assertThat(listing(elsewhere)).isEmpty();

        Files.setAttribute(link, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
        try (FileLockBackend backend = FileLockBackend.builder().directory(link).build()) {
            assertThat(LockManager.builder(backend).build().tryAcquire("through root's link")).isPresent();
        }
        assertThat(listing(elsewhere)).contains(FileLockBackend.DEFAULT_NAMESPACE);
    }

    @Test
    void aStripeFileReplacedByALinkIsRefusedOnReopenAndNotWrittenThrough() throws IOException {
        FileLockBackend backend = FileLockBackend.builder().directory(directory.resolve("locks")).build();
        toClose.add(backend);
        LockManager locks = LockManager.builder(backend).build();
        toClose.add(locks);
        locks.tryAcquire("stripe").orElseThrow().release();

        // Empty, so that a stripe write into it would not be refused as garbage first.
        Path victim = Files.createFile(directory.resolve("victim"));
        Path stripe = backend.stripeFile("stripe");
        Files.delete(stripe);
        Files.createSymbolicLink(stripe, victim);

        assertThatThrownBy(() -> locks.tryAcquire("stripe")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(stripe.toString())
                .hasMessageContaining("symbolic link");
        assertThat(Files.size(victim)).as("nothing written through the link").isZero();

        Files.delete(stripe);
        assertThat(locks.tryAcquire("stripe")).as("heals once the link is gone").isPresent();
    }

    @Test
    void aLayoutRecreatedAfterDeletionIsCheckedAgain() throws IOException {
        Path base = directory.resolve("locks");
        // Without release notifications: the watch thread reads a stripe when the release's signal
        // arrives, and a read checks the layout and makes what is missing, so it could make the
        // namespace directory again between the deletion below and the directory put in its place
        // (FileAlreadyExistsException, once in a fresh-clone run beside a CPU hog at load 8).
        FileLockBackend backend = FileLockBackend.builder().directory(base).notifications(false).build();
        toClose.add(backend);
        LockManager locks = LockManager.builder(backend).build();
        toClose.add(locks);
        locks.tryAcquire("recreated").orElseThrow().release();
        Path namespace = base.resolve(FileLockBackend.DEFAULT_NAMESPACE);

        // Another user puts an open directory of his own where the namespace was ...
        deleteRecursively(namespace);
        Files.createDirectory(namespace);
        Files.setAttribute(namespace, "unix:uid", NOBODY);
        Files.setAttribute(namespace, "unix:mode", 0777);
        assertThatThrownBy(() -> locks.tryAcquire("recreated")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(namespace.toString())
                .hasMessageContaining("uid " + NOBODY);
        assertThat(listing(namespace)).as("nothing created in his directory").isEmpty();

        // ... or a whole layout of his own, so that nothing looks missing.
        for (String inside : List.of("stripes", "released")) {
            Path made = Files.createDirectory(namespace.resolve(inside));
            Files.setAttribute(made, "unix:uid", NOBODY);
        }
        assertThatThrownBy(() -> locks.tryAcquire("recreated")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(namespace.toString())
                .hasMessageContaining("uid " + NOBODY);
        assertThat(listing(namespace.resolve("stripes"))).isEmpty();

        deleteRecursively(namespace);
        assertThat(locks.tryAcquire("recreated")).as("recreated by its owner once it is gone").isPresent();
    }

    // ------------------------------------------------------------------ group directories

    @Test
    void twoUsersExcludeEachOtherInAGroupDirectory() throws Exception {
        Path shared = directory.resolve("shared");
        String uri = "file:" + shared + "?group=" + GROUP;
        LockBackend root = LockBackends.open(uri);
        toClose.add(root);
        LockManager locks = LockManager.builder(root).build();
        toClose.add(locks);
        assertThat(root.describe()).isEqualTo(uri);

        Lock held = locks.tryAcquire("shared-job").orElseThrow();
        ChildJvm busy = asUser(NOBODY, List.of(groupId()), "try", uri, "shared-job");
        assertThat(busy.readLine(PATIENCE)).isEqualTo("BUSY");
        held.release();

        ChildJvm other = asUser(NOBODY, List.of(groupId()), "hold", uri, "60000", "shared-job");
        other.await("ACQUIRED shared-job", PATIENCE);
        other.awaitLine("HOLDING");
        assertThat(locks.tryAcquire("shared-job")).as("held by the other user").isEmpty();
        other.send("release shared-job");
        assertThat(other.await("RELEASED shared-job", PATIENCE)).isEqualTo("true");
        assertThat(locks.tryAcquire("shared-job")).isPresent();

        assertThat(mode(shared)).isEqualTo(02770);
        try (Stream<Path> all = Files.walk(shared)) {
            for (Path path : all.collect(Collectors.toList())) {
                assertThat(Files.getAttribute(path, "unix:group", LinkOption.NOFOLLOW_LINKS).toString())
                        .as("%s", path).isEqualTo(GROUP);
                assertThat(mode(path)).as("%s", path).isEqualTo(Files.isDirectory(path) ? 02770 : 0660);
            }
        }
        assertThat(Files.getAttribute(shared.resolve("distlock/stripes").resolve(
                Layout.fileName(FileKeys.stripeOf("shared-job"))), "unix:uid")).isIn(0, NOBODY);
    }

    @Test
    void withoutAGroupAnotherUserCannotUseTheDirectory() throws Exception {
        Path mine = directory.resolve("mine");
        try (LockBackend backend = LockBackends.open("file:" + mine)) {
            assertThat(backend.describe()).isEqualTo("file:" + mine);
        }
        String failed = asUser(NOBODY, List.of(groupId()), "try", "file:" + mine, "job").await("FAILED", PATIENCE);
        assertThat(failed).startsWith(LockBackendException.class.getName()).contains(mine.toString());
    }

    @Test
    void aGroupDirectoryNotSetUpRightIsRefusedWithWhatToDo() throws IOException {
        Path plain = Files.createDirectory(directory.resolve("plain"));
        assertThatThrownBy(() -> LockBackends.open("file:" + plain + "?group=" + GROUP))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining(plain.toString())
                .hasMessageContaining("chgrp " + GROUP)
                .hasMessageContaining("chmod 2770");
        assertThatThrownBy(() -> LockBackends.open("file:" + plain + "?group=no-such-group-20"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-group-20").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> LockBackends.open("file:?group=" + GROUP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default directory");
        assertThatThrownBy(() -> LockBackends.open("file:" + plain + "?group"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
        assertThatThrownBy(() -> FileLockBackend.builder().group("a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/b'");

        // A group directory opened owner-only is refused, not silently closed to the group.
        Path shared = directory.resolve("shared");
        LockBackends.open("file:" + shared + "?group=" + GROUP).close();
        assertThatThrownBy(() -> LockBackends.open("file:" + shared))
                .isInstanceOf(LockBackendException.class).hasMessageContaining("?group=" + GROUP);
        assertThat(mode(shared.resolve(FileLockBackend.DEFAULT_NAMESPACE))).isEqualTo(02770);
    }

    // ------------------------------------------------------------------ helpers

    /** A sticky, world-writable temporary directory like /tmp, made this JVM's {@code java.io.tmpdir}. */
    private Path stickyTmp() throws IOException {
        Path tmp = Files.createDirectory(directory.resolve("tmp"));
        Files.setAttribute(tmp, "unix:mode", 01777);
        System.setProperty("java.io.tmpdir", tmp.toString());
        return tmp;
    }

    /** {@link FileLockChild} run as {@code uid} (group {@code uid}, plus {@code groups}) with setpriv. */
    private ChildJvm asUser(int uid, List<Integer> groups, String... args) throws IOException {
        List<String> launcher = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid));
        launcher.add(groups.isEmpty() ? "--clear-groups"
                : "--groups=" + groups.stream().map(String::valueOf).collect(Collectors.joining(",")));
        ChildJvm child = ChildJvm.startThrough(launcher, readableClassPath(),
                List.of("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")), FileLockChild.class,
                directory.resolve("child-" + toClose.size() + ".err"), args);
        toClose.add(child);
        return child;
    }

    /** This JVM's class path, copied where another user can read it (root's ~/.m2 is rwx------). */
    private String readableClassPath() throws IOException {
        Path copies = directory.resolve("classpath");
        if (!Files.isDirectory(copies)) {
            Files.createDirectory(copies);
            String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
            for (int i = 0; i < entries.length; i++) {
                Path entry = Path.of(entries[i]);
                Path copy = copies.resolve(i + "-" + entry.getFileName());
                if (Files.isDirectory(entry)) {
                    copyTree(entry, copy);
                } else if (Files.exists(entry)) {
                    Files.copy(entry, copy);
                }
            }
            try (Stream<Path> all = Files.walk(copies)) {
                for (Path path : all.collect(Collectors.toList())) {
                    Files.setAttribute(path, "unix:mode", Files.isDirectory(path) ? 0755 : 0644);
                }
            }
        }
        try (Stream<Path> copied = Files.list(copies)) {
            return copied.sorted((a, b) -> Integer.compare(index(a), index(b))).map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator));
        }
    }

    private static int index(Path copy) {
        String name = copy.getFileName().toString();
        return Integer.parseInt(name.substring(0, name.indexOf('-')));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path path : all.collect(Collectors.toList())) {
                Files.copy(path, to.resolve(from.relativize(path).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static int groupId() throws IOException {
        Process getent = new ProcessBuilder("getent", "group", GROUP).start();
        String line = new String(getent.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(line).as("group '%s' must exist for this test (groupadd %s)", GROUP, GROUP).isNotEmpty();
        return Integer.parseInt(line.split(":")[2]);
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static List<String> listing(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(path -> path.getFileName().toString()).collect(Collectors.toList());
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path path : files.sorted((a, b) -> b.compareTo(a)).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }
}
