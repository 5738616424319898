package io.distlock.file;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.LockInfo;
import io.distlock.LockInterruptedException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.ChildJvm;
import io.distlock.testkit.Eventually;
import io.distlock.testkit.ExclusionJournal;
import io.distlock.testkit.ExclusionWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the contract kit cannot know about the file backend: files, permissions, processes, faults. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileBackendTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path directory;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private FileLockBackend backend() {
        return backend(FileLockBackend.builder().directory(directory));
    }

    private FileLockBackend backend(FileLockBackend.Builder builder) {
        FileLockBackend backend = builder.build();
        toClose.add(backend);
        return backend;
    }

    private LockManager manager(LockBackend backend) {
        LockManager manager = LockManager.builder(backend).build();
        toClose.add(manager);
        return manager;
    }

    private ChildJvm child(String... args) throws IOException {
        ChildJvm child = ChildJvm.start(FileLockChild.class, directory.resolve("child-" + toClose.size() + ".err"), args);
        toClose.add(child);
        return child;
    }

    private String uri() {
        return "file:" + directory;
    }

    // ------------------------------------------------------------------ names

    @Test
    void namesAreNeverPathsAndEachIsItsOwnLock() {
        FileLockBackend backend = backend();
        LockManager first = manager(backend);
        LockManager second = manager(backend());
        List<String> names = List.of("../../etc/passwd", "/", "/etc/passwd", "a/b", "a\\b", "..", ".", "a\u0000b",
                "a\u0000c", "\u0000", "\n", "\r\n\t\u001b[31m", "CON", "NUL", "con", "COM1", "LPT1.txt", "nul.lock",
                "A", "a", "x".repeat(255), "x".repeat(256), "y".repeat(1024), "é".repeat(512), "🔒".repeat(256),
                "?", "%2F", "%", "name=evil\nlock\nname=other", " ", "*", "~", "$HOME");
        assertThat(new HashSet<>(names)).hasSameSizeAs(names);
        List<Lock> held = new ArrayList<>();
        for (String name : names) {
            held.add(first.acquire(name, LockOptions.tryOnce()));
        }
        for (String name : names) {
            assertThat(second.tryAcquire(name)).as("'%s' is busy for another manager", printable(name)).isEmpty();
            assertThat(second.inspect(name)).as("inspect '%s'", printable(name)).map(LockInfo::name).contains(name);
        }
        assertThat(second.list("")).extracting(LockInfo::name).containsExactlyInAnyOrderElementsOf(names);
        assertThat(second.list("x")).extracting(LockInfo::name)
                .containsExactlyInAnyOrder("x".repeat(255), "x".repeat(256));

        assertThat(filesUnder(directory)).as("nothing but the fixed layout exists, whatever the names")
                .allMatch(path -> path.matches("distlock/(layout|(stripes|released)/[0-6][0-9])"));

        held.forEach(Lock::release);
        assertThat(second.list("")).isEmpty();
        for (String name : names) {
            assertThat(second.tryAcquire(name)).as("'%s' free again", printable(name)).isPresent();
        }
    }

    @Test
    void theNameToStripeMappingIsTheDocumentedOne() throws Exception {
        FileLockBackend backend = backend();
        Path stripes = directory.resolve("distlock").resolve("stripes");
        for (String name : List.of("orders", "../../etc/passwd", "名前", "🔒", "y".repeat(1024))) {
            int expected = (sha256(name.getBytes(StandardCharsets.UTF_8))[0] & 0xff) % 64;
            assertThat(StripeFiles.of(backend, name)).isEqualTo(stripes.resolve(String.format("%02d", expected)));
        }
        // An unpaired surrogate takes its 3-byte generalized UTF-8 form, not UTF-8's '?'.
        int surrogate = (sha256(new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80})[0] & 0xff) % 64;
        assertThat(StripeFiles.of(backend, "\uD800")).isEqualTo(stripes.resolve(String.format("%02d", surrogate)));
    }

    // ------------------------------------------------------------------ permissions

    @Test
    void directoriesAndFilesAreTheOwnersOnly() throws IOException {
        Path base = directory.resolve("missing").resolve("parents");
        LockManager locks = manager(backend(FileLockBackend.builder().directory(base).namespace("app")));
        try (Lock lock = locks.acquire("permissions")) {
            assertThat(lock.isHeld()).isTrue();
        }
        for (Path dir : List.of(directory.resolve("missing"), base, base.resolve("app"), base.resolve("app/stripes"),
                base.resolve("app/released"))) {
            assertThat(permissions(dir)).as("%s", dir).isEqualTo("rwx------");
        }
        try (Stream<Path> files = Files.walk(base)) {
            List<Path> regular = files.filter(Files::isRegularFile).collect(Collectors.toList());
            assertThat(regular).isNotEmpty();
            for (Path file : regular) {
                assertThat(permissions(file)).as("%s", file).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void anOpenNamespaceDirectoryIsClosedToOthers() throws IOException {
        Path namespace = Files.createDirectories(directory.resolve("distlock"));
        Files.setPosixFilePermissions(namespace, PosixFilePermissions.fromString("rwxrwxrwx"));
        backend();
        assertThat(permissions(namespace)).isEqualTo("rwx------");
    }

    @Test
    void aParentOthersCouldWriteIsRefusedUnlessSticky() throws IOException {
        Path open = Files.createDirectories(directory.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> FileLockBackend.builder().directory(open).build())
                .isInstanceOf(LockBackendException.class).hasMessageContaining(open.toString())
                .hasMessageContaining("sticky");
        Files.setAttribute(open, "unix:mode", 01777);
        LockManager locks = manager(backend(FileLockBackend.builder().directory(open)));
        assertThat(locks.tryAcquire("sticky")).isPresent();
    }

    // ------------------------------------------------------------------ faults

    @Test
    void aDirectoryThatCannotBeCreatedFailsClearly() throws IOException {
        // Root ignores permission bits, but nobody can create a directory inside a regular file.
        Path file = Files.writeString(directory.resolve("a-file"), "not a directory");
        Path impossible = file.resolve("locks");
        long start = System.nanoTime();
        assertThatThrownBy(() -> FileLockBackend.builder().directory(impossible).build())
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining(impossible.toString());
        assertThatThrownBy(() -> LockBackends.open("file:" + impossible))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining(impossible.toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aDirectoryThatBecomesUnusableFailsEachCallAndHealsWhenItComesBack() throws IOException {
        // Without release notifications: the watch thread reads a stripe when the release's signal
        // arrives, and a read checks the layout and makes what is missing, so it could make the
        // namespace directory again between the deletion below and the file put in its place.
        LockManager locks = manager(backend(FileLockBackend.builder().directory(directory).notifications(false)));
        long before;
        try (Lock lock = locks.acquire("heal")) {
            before = lock.token();
        }
        Path namespace = directory.resolve("distlock");
        deleteRecursively(namespace);
        Files.writeString(namespace, "a file where the lock directory was");

        assertThatThrownBy(() -> locks.tryAcquire("heal")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(namespace.toString());
        assertThatThrownBy(() -> locks.inspect("heal")).isInstanceOf(LockBackendException.class);

        Files.delete(namespace);
        try (Lock lock = locks.acquire("heal", LockOptions.tryOnce())) {
            assertThat(lock.token()).as("tokens keep growing after the directory was wiped").isGreaterThan(before);
        }
        assertThat(Files.isRegularFile(namespace.resolve("layout"))).isTrue();
    }

    @Test
    void garbageInAStripeFileIsAClearErrorUntilForceReleased() throws IOException {
        FileLockBackend backend = backend();
        LockManager locks = manager(backend);
        long before;
        try (Lock lock = locks.acquire("garbage")) {
            before = lock.token();
        }
        Path stripe = StripeFiles.of(backend, "garbage");
        Files.writeString(stripe, "this is not what distlock wrote\n".repeat(100));

        assertThatThrownBy(() -> locks.tryAcquire("garbage")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(stripe.toString()).hasMessageContaining("not valid");
        assertThatThrownBy(() -> locks.acquire("garbage", LockOptions.builder().timeout(Duration.ofSeconds(1)).build()))
                .isInstanceOf(LockBackendException.class);
        assertThatThrownBy(() -> locks.inspect("garbage")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(stripe.toString());
        assertThatThrownBy(() -> locks.list("")).isInstanceOf(LockBackendException.class);

        assertThat(locks.forceRelease("garbage")).as("force-release resets the corrupt stripe").isTrue();
        try (Lock lock = locks.acquire("garbage", LockOptions.tryOnce())) {
            assertThat(lock.token()).isGreaterThan(before);
        }
    }

    @Test
    void aTornWriteLeavesTheStateBeforeIt() throws IOException {
        FileLockBackend backend = backend();
        LockManager locks = manager(backend);
        Lock lock = locks.acquire("torn");
        Path stripe = StripeFiles.of(backend, "torn");
        // The acquisition wrote one slot; release writes the other one (at 1 MiB). Break that write.
        assertThat(lock.release()).isTrue();
        try (RandomAccessFile file = new RandomAccessFile(stripe.toFile(), "rw")) {
            long slot = 1 << 20;
            assertThat(file.length()).isGreaterThan(slot);
            file.seek(slot + 40);
            file.write("XXXX".getBytes(StandardCharsets.US_ASCII));
        }
        // The release never happened as far as the stripe can prove: the lock is held as before.
        assertThat(locks.inspect("torn")).map(LockInfo::token).contains(lock.token());
        assertThat(locks.tryAcquire("torn")).isEmpty();
    }

    @Test
    void aFullDiskIsAClearErrorAndNeverAnAcquisition() throws Exception {
        FileLockBackend backend = backend();
        backend.close();
        // A child whose every file write the kernel refuses (RLIMIT_FSIZE 0: EFBIG, like ENOSPC).
        ChildJvm child = ChildJvm.start(FileLockChild.class, directory.resolve("full.err"), List.of("ulimit -f 0"), "try", uri(), "full");
        toClose.add(child);
        String answer = child.readLine(PATIENCE);
        assertThat(answer).startsWith("FAILED " + LockBackendException.class.getName())
                .contains(directory.toString()).containsIgnoringCase("too large");
        assertThat(child.awaitExit(PATIENCE)).isZero();
        assertThat(manager(backend()).tryAcquire("full")).as("nothing was left held").isPresent();
    }

    @Test
    void aStripeHeldByAStoppedProcessTimesOutAndInterruptsStillWork() throws Exception {
        FileLockBackend backend = backend(FileLockBackend.builder().directory(directory)
                .timeout(Duration.ofMillis(500)));
        LockManager locks = manager(backend);
        locks.acquire("stopped").release();
        ChildJvm stopped = child("lock-file", StripeFiles.of(backend, "stopped").toString());
        assertThat(stopped.readLine(PATIENCE)).isEqualTo("LOCKED");

        long start = System.nanoTime();
        assertThatThrownBy(() -> locks.tryAcquire("stopped")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining(StripeFiles.of(backend, "stopped").toString()).hasMessageContaining("stayed locked");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));

        LockManager patient = manager(backend(FileLockBackend.builder().directory(directory)
                .timeout(Duration.ofSeconds(60))));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                patient.tryAcquire("stopped");
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        waiter.start();
        awaitState(waiter, Thread.State.TIMED_WAITING);
        waiter.interrupt();
        // The engine then undoes the attempt by owner id, which waits for the same stripe: seeing the
        // thread there proves the interrupt ended the acquisition's wait while the stripe stayed locked.
        awaitFrame(waiter, "release");
        stopped.close();
        waiter.join(PATIENCE.toMillis());
        assertThat(waiter.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(LockInterruptedException.class).hasMessageContaining("stopped");
        assertThat(locks.inspect("stopped")).as("the interrupted attempt took nothing").isEmpty();

        try (Lock lock = locks.acquire("stopped", LockOptions.builder().timeout(PATIENCE).build())) {
            assertThat(lock.isHeld()).isTrue();
        }
    }

    // ------------------------------------------------------------------ processes

    @Test
    void aGuardProcessIsNamedInTheRecordsOfLocksAcquiredAfterItWasAdded() throws Exception {
        FileLockBackend backend = backend();
        LockManager locks = manager(backend);
        Process guard = new ProcessBuilder("sleep", "30").start();
        try (Lock before = locks.acquire("unguarded", LockOptions.tryOnce())) {
            backend.addGuardProcess(guard.toHandle());
            try (Lock after = locks.acquire("guarded", LockOptions.tryOnce())) {
                assertThat(recordOf(backend, "unguarded")).contains("\nprocess=" + HolderProcess.SELF + "\n");
                assertThat(recordOf(backend, "guarded"))
                        .contains("\nprocess=" + HolderProcess.SELF + "/" + guard.pid() + "/");
            }
        } finally {
            guard.destroyForcibly();
        }
        assertThatThrownBy(() -> backend.addGuardProcess(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    /** The text of {@code name}'s record in its stripe file (of whichever slot holds it). */
    private static String recordOf(FileLockBackend backend, String name) throws IOException {
        String text = new String(Files.readAllBytes(StripeFiles.of(backend, name)), StandardCharsets.UTF_8);
        int start = text.lastIndexOf("lock\nname=" + name + "\n");
        assertThat(start).as("a record of %s", name).isNotNegative();
        return text.substring(start, text.indexOf("\nwaited=", start) + 1);
    }

    @Test
    void aKilledHoldersLockIsFreeAtOnceWithALargerToken() throws Exception {
        ChildJvm holder = child("hold", uri(), "60000", "proven-dead", "lease-bound");
        long deadToken = Long.parseLong(holder.await("ACQUIRED proven-dead ", PATIENCE));
        long leaseBoundToken = Long.parseLong(holder.await("ACQUIRED lease-bound ", PATIENCE));
        holder.await("HOLDING", PATIENCE);

        LockManager detecting = manager(backend());
        LockManager notDetecting = manager(backend(FileLockBackend.builder().directory(directory)
                .staleHolderDetection(false)));
        assertThat(detecting.tryAcquire("proven-dead")).as("busy while the holder lives").isEmpty();
        assertThat(detecting.inspect("proven-dead")).map(LockInfo::pid).contains(holder.pid());

        holder.kill();
        long start = System.nanoTime();
        try (Lock lock = detecting.acquire("proven-dead", LockOptions.builder().timeout(PATIENCE).build())) {
            assertThat(lock.token()).isGreaterThan(deadToken);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("long before the 60 s lease ends")
                .isLessThan(Duration.ofSeconds(5));

        assertThat(notDetecting.tryAcquire("lease-bound")).as("without stale detection the lease stands")
                .isEmpty();
        assertThat(notDetecting.inspect("lease-bound")).map(LockInfo::token).contains(leaseBoundToken);
        try (Lock lock = detecting.acquire("lease-bound", LockOptions.tryOnce())) {
            assertThat(lock.token()).isGreaterThan(leaseBoundToken);
        }
    }

    @Test
    void aHolderKilledWithoutStaleDetectionIsFreeAtLeaseEnd() throws Exception {
        ChildJvm holder = child("hold", uri(), "2000", "short-lease");
        long deadToken = Long.parseLong(holder.await("ACQUIRED short-lease ", PATIENCE));
        holder.kill();
        LockManager locks = manager(backend(FileLockBackend.builder().directory(directory).staleHolderDetection(false)));
        Optional<LockInfo> stillThere = locks.inspect("short-lease");
        assertThat(stillThere).map(LockInfo::token).contains(deadToken);
        try (Lock lock = locks.acquire("short-lease", LockOptions.builder().timeout(PATIENCE)
                .retryInterval(Duration.ofMillis(20)).build())) {
            assertThat(lock.token()).isGreaterThan(deadToken);
            assertThat(lock.isHeld()).isTrue();
        }
        assertThat(java.time.Instant.now()).isAfterOrEqualTo(stillThere.orElseThrow().expiresAt());
    }

    @Test
    void aReleaseInAnotherProcessWakesAWaiterWithoutPolling() throws Exception {
        ChildJvm holder = child("hold", uri(), "60000", "hand-off");
        long heldToken = Long.parseLong(holder.await("ACQUIRED hand-off ", PATIENCE));
        holder.await("HOLDING", PATIENCE);
        LockManager waiter = manager(backend());
        AtomicReference<Lock> got = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread waiting = new Thread(() -> {
            try {
                // A 60 s retry interval: only the file-change notification can end this wait in time.
                got.set(waiter.acquire("hand-off", LockOptions.builder().timeout(Duration.ofSeconds(120))
                        .retryInterval(Duration.ofSeconds(60)).build()));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        waiting.start();
        awaitState(waiting, Thread.State.TIMED_WAITING);
        long start = System.nanoTime();
        holder.send("release hand-off");
        assertThat(holder.await("RELEASED hand-off", PATIENCE)).isEqualTo("true");
        waiting.join(10_000);
        assertThat(waiting.isAlive()).as("woken by the release within 10 s").isFalse();
        assertThat(failed.get()).isNull();
        assertThat(got.get().token()).isGreaterThan(heldToken);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        got.get().release();
    }

    @Test
    void namesSharingAStripeStayIndependentAcrossFourProcesses() throws Exception {
        FileLockBackend backend = backend();
        String first = "shared-stripe-0";
        String second = null;
        for (int i = 1; second == null; i++) {
            if (StripeFiles.of(backend, "shared-stripe-" + i).equals(StripeFiles.of(backend, first))) {
                second = "shared-stripe-" + i;
            }
        }
        int iterations = 30;
        List<ChildJvm> workers = new ArrayList<>();
        List<Path> journals = List.of(Files.createDirectories(directory.resolve("journal-a")),
                Files.createDirectories(directory.resolve("journal-b")));
        try {
            for (int i = 0; i < 4; i++) {
                String name = i % 2 == 0 ? first : second;
                workers.add(ChildJvm.start(ExclusionWorker.class, directory.resolve("worker" + i + ".err"), uri(), name,
                        Integer.toString(iterations), journals.get(i % 2).toString()));
            }
            for (ChildJvm worker : workers) {
                worker.awaitLine("READY");
            }
            for (ChildJvm worker : workers) {
                worker.send("GO");
            }
            for (ChildJvm worker : workers) {
                assertThat(worker.awaitExit(Duration.ofSeconds(90))).as("worker %d; stderr:%n%s", worker.pid(),
                        worker.stderr()).isZero();
            }
        } finally {
            workers.forEach(ChildJvm::close);
        }
        for (Path journal : journals) {
            assertThat(new ExclusionJournal(journal).violations(2L * iterations)).as("%s", journal).isEmpty();
        }
        assertThat(manager(backend).list("shared-stripe-")).isEmpty();
    }

    // ------------------------------------------------------------------ tokens and sharing

    @Test
    void tokensKeepGrowingAcrossReopeningAndWipes() throws IOException {
        long first;
        try (FileLockBackend backend = FileLockBackend.builder().directory(directory).build();
             LockManager locks = LockManager.builder(backend).build();
             Lock lock = locks.acquire("tokens")) {
            first = lock.token();
        }
        long second;
        try (FileLockBackend backend = FileLockBackend.builder().directory(directory).build();
             LockManager locks = LockManager.builder(backend).build();
             Lock lock = locks.acquire("tokens")) {
            second = lock.token();
        }
        assertThat(second).isGreaterThan(first);
        deleteRecursively(directory.resolve("distlock"));
        try (LockManager locks = LockManager.builder(FileLockBackend.builder().directory(directory).build()).build();
             Lock lock = locks.acquire("tokens")) {
            assertThat(lock.token()).as("the wall clock is a floor under the lost counter").isGreaterThan(second);
        }
    }

    @Test
    void aSymbolicLinkReachesTheSameLocksInOneJvm() throws IOException {
        Path real = Files.createDirectories(directory.resolve("real"));
        Path link = Files.createSymbolicLink(directory.resolve("link"), real);
        LockManager viaReal = manager(backend(FileLockBackend.builder().directory(real)));
        FileLockBackend linked = FileLockBackend.builder().directory(link).build();
        LockManager viaLink = LockManager.builder(linked).build();
        Lock held = viaReal.acquire("linked");
        assertThat(viaLink.tryAcquire("linked")).isEmpty();
        viaLink.close();
        // Closing the other path's backend must not drop this JVM's stripe files or locks.
        assertThat(viaReal.tryAcquire("linked")).isEmpty();
        assertThat(held.verify()).isTrue();
        assertThat(held.release()).isTrue();
    }

    @Test
    void uriFormsAndBadParameters() {
        String dir = directory.toString();
        try (LockBackend plain = LockBackends.open("file:" + dir);
             LockBackend local = LockBackends.open("file://localhost" + dir);
             LockBackend empty = LockBackends.open("file://" + dir);
             LockBackend tuned = LockBackends.open("file:" + dir
                     + "?namespace=tenant-1&staleHolderDetection=false&notifications=false&timeout=250ms")) {
            assertThat(plain.describe()).isEqualTo("file:" + dir);
            assertThat(local.describe()).isEqualTo("file:" + dir);
            assertThat(empty.describe()).isEqualTo("file:" + dir);
            assertThat(tuned.describe()).isEqualTo("file:" + dir + "?namespace=tenant-1");
            assertThat(StripeFiles.of((FileLockBackend) tuned, "x")).startsWithRaw(directory.resolve("tenant-1"));
        }
        assertThatThrownBy(() -> LockBackends.open("file://db.example.com/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("db.example.com");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?colour=blue"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?namespace=../up"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../up");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?timeout=soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("soon");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?staleHolderDetection=maybe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maybe");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?namespace=a&namespace=b"))
                .as("a repeated parameter is refused, as by every backend").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeats parameter 'namespace'");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?namespace"))
                .as("a parameter without a value is the empty value, which a name cannot be")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?timeout=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=0");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "?timeout=999999999d"))
                .as("contract 6.2: over the maximum").isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout=999999999d").hasMessageContaining("365 days");
        assertThatThrownBy(() -> FileLockBackend.builder().timeout(Duration.ofDays(366)))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("365 days");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "#top"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#top");
        assertThatThrownBy(() -> LockBackends.open("file://me@localhost" + dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user info");
        assertThatThrownBy(() -> LockBackends.open("file:" + dir + "%zz"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("%zz");
        assertThatThrownBy(() -> FileLockBackend.builder().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> FileLockBackend.builder().namespace("a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/b");
    }

    @Test
    void aBareBooleanParameterMeansTrue() throws Exception {
        // Notifications on: the release in the other backend of this JVM wakes a waiter whose
        // retry interval (60 s) is far beyond this test's patience. Read as false, it would poll.
        LockManager holder = manager(backend());
        LockManager waiter = manager(backend(FileBackendProvider.builderFor("file:" + directory
                + "?notifications&staleHolderDetection")));
        Lock held = holder.acquire("bare");
        AtomicReference<Lock> got = new AtomicReference<>();
        Thread waiting = new Thread(() -> got.set(waiter.acquire("bare", LockOptions.builder()
                .timeout(Duration.ofSeconds(120)).retryInterval(Duration.ofSeconds(60)).build())));
        waiting.start();
        awaitState(waiting, Thread.State.TIMED_WAITING);
        held.release();
        waiting.join(10_000);
        assertThat(waiting.isAlive()).as("woken by the release within 10 s").isFalse();
        assertThat(got.get().token()).isGreaterThan(held.token());
        got.get().release();
    }

    @Test
    void bareFileUriMeansTheDefaultDirectory() throws IOException {
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", directory.toString());
        try {
            Object uid = Files.getAttribute(Files.createFile(directory.resolve("mine")), "unix:uid");
            Path expected = directory.resolve("distlock-" + uid);
            assertThat(FileLockBackend.defaultDirectory()).isEqualTo(expected);
            try (LockBackend bare = LockBackends.open("file:");
                 FileLockBackend byDefault = FileLockBackend.inDefaultDirectory();
                 LockBackend withNamespace = LockBackends.open("file:?namespace=other")) {
                assertThat(bare.describe()).isEqualTo("file:" + expected);
                assertThat(byDefault.directory()).isEqualTo(expected);
                assertThat(withNamespace.describe()).isEqualTo("file:" + expected + "?namespace=other");
                assertThat(permissions(expected)).isEqualTo("rwx------");
            }
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void awaitState(Thread thread, Thread.State state) {
        Eventually.until(thread.getName() + " in state " + state, PATIENCE, () -> thread.getState() == state);
    }

    private static void awaitFrame(Thread thread, String method) {
        Eventually.until(thread.getName() + " calling FileLockBackend." + method, PATIENCE,
                () -> Stream.of(thread.getStackTrace()).anyMatch(frame -> frame.getClassName().equals(
                        FileLockBackend.class.getName()) && frame.getMethodName().equals(method)));
    }

    private static Set<String> filesUnder(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(path -> root.relativize(path).toString())
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static String printable(String name) {
        String shown = name.length() > 40 ? name.substring(0, 37) + "..." : name;
        return shown.chars().mapToObj(c -> c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c))
                .collect(Collectors.joining());
    }
}
