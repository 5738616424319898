package io.distlock.file;

import io.distlock.LockBackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * One namespace directory as this JVM sees it: its layout on disk, its stripes, and the watch on
 * its lock files. There is exactly one instance per directory per JVM (a static registry keyed by
 * the directory's real path), however many backends use it and by whatever symbolic link, so the
 * threads of this JVM always meet on the same in-JVM stripe locks and the same open stripe files.
 * That is what keeps {@code OverlappingFileLockException} impossible, and it matters for another
 * reason: POSIX drops all of a process's locks on a file when <i>any</i> descriptor of that file
 * is closed, so this JVM must never open a stripe file twice.
 *
 * <pre>
 * &lt;directory&gt;/&lt;namespace&gt;/
 *     layout           "distlock-file-layout 2 stripes=64 slot=1048576": processes must agree on it
 *     stripes/00..63   the stripe files: OS-locked briefly per operation; hold the token counter and
 *                      the records of the stripe's held locks (Stripe); created once, never deleted
 *     released/00..63  rewritten on every release in the stripe, so that waiters get a change event
 * </pre>
 *
 * <p>Nothing is created or deleted per lock: file creation and deletion are the expensive
 * operations of most file systems (journaled metadata), and the unlink-while-another-waits race
 * of per-name lock files cannot happen when there is nothing to unlink.
 */
final class LockDirectory {
    private static final Logger log = LoggerFactory.getLogger(LockDirectory.class);
    static final String LAYOUT = "distlock-file-layout 2 stripes=" + Names.STRIPES + " slot=" + Stripe.SLOT_SIZE
            + "\n";
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<OpenOption> STRIPE_OPEN = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE);
    private static final Set<OpenOption> SIGNAL_OPEN = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE);

    /**
     * Guards the registry and every instance's {@code users}. Lock order: {@code OPEN}, then a
     * stripe's {@code jvmLock}, then {@code watchLock}; never the other way round.
     */
    private static final Map<Path, LockDirectory> OPEN = new HashMap<>();

    final Path root;
    final Path stripesDirectory;
    final Path signals;
    private final boolean posix;
    private final FileAttribute<?>[] directoryAttributes;
    private final FileAttribute<?>[] fileAttributes;
    private final Stripe[] stripes = new Stripe[Names.STRIPES];
    private final CopyOnWriteArrayList<IntConsumer> releaseListeners = new CopyOnWriteArrayList<>();
    private int users;
    private final Object watchLock = new Object();
    /** Guarded by {@link #watchLock}. */
    private WatchService watchService;

    private LockDirectory(Path root, boolean posix) {
        this.root = root;
        this.stripesDirectory = root.resolve("stripes");
        this.signals = root.resolve("released");
        this.posix = posix;
        this.directoryAttributes = posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY)}
                : new FileAttribute<?>[0];
        this.fileAttributes = posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_FILE)}
                : new FileAttribute<?>[0];
        for (int i = 0; i < stripes.length; i++) {
            String number = String.format("%02d", i);
            stripes[i] = new Stripe(i, stripesDirectory.resolve(number), signals.resolve(number));
        }
    }

    /**
     * Creates (if needed) and checks the directory, and returns this JVM's shared instance for it.
     * Release it with {@link #release()}.
     *
     * @throws LockBackendException naming the path if the directory cannot be created, written, or
     *                              is owned by another user
     */
    static LockDirectory acquire(Path root) {
        root = root.toAbsolutePath().normalize();
        boolean posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path realRoot;
        try {
            LockDirectory fresh = new LockDirectory(root, posix);
            fresh.createLayout();
            fresh.checkOwnership();
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new LockBackendException("The lock directory " + root + " cannot be used: " + describe(e), e);
        }
        synchronized (OPEN) {
            LockDirectory directory = OPEN.computeIfAbsent(realRoot, key -> new LockDirectory(key, posix));
            directory.users++;
            return directory;
        }
    }

    /**
     * One user is done; the last one closes the stripe files and the watch. It closes them before
     * leaving the registry lock: a backend opened meanwhile must find either this instance or a
     * new one whose stripe files this one no longer has open, since closing a descriptor of a file
     * drops every lock this process holds on it.
     */
    void release() {
        synchronized (OPEN) {
            if (--users > 0) {
                return;
            }
            OPEN.remove(root, this);
            stopWatching();
            for (Stripe stripe : stripes) {
                stripe.jvmLock.lock();
                try {
                    stripe.closeChannels();
                } finally {
                    stripe.jvmLock.unlock();
                }
            }
        }
    }

    // ---------------------------------------------------------------- layout

    private void createLayout() throws IOException {
        Files.createDirectories(root, directoryAttributes);
        Files.createDirectories(stripesDirectory, directoryAttributes);
        Files.createDirectories(signals, directoryAttributes);
        Path layout = root.resolve("layout");
        if (!Files.exists(layout)) {
            Path scratch = Files.createTempFile(root, "layout-", ".tmp", fileAttributes);
            Files.writeString(scratch, LAYOUT, StandardCharsets.US_ASCII);
            // Racing creators write the same text, so whichever rename lands last is right too.
            Files.move(scratch, layout, StandardCopyOption.ATOMIC_MOVE);
        }
        String found = Files.readString(layout, StandardCharsets.US_ASCII);
        if (!found.equals(LAYOUT)) {
            throw new IOException(layout + " says '" + found.strip() + "', but this version of distlock needs '"
                    + LAYOUT.strip() + "'; processes that disagree on the layout would not exclude each other");
        }
    }

    /**
     * Other users of the host must not be able to read or tamper with the locks: the namespace
     * directory must be ours, nobody else may enter it, and nobody else may replace it.
     */
    private void checkOwnership() throws IOException {
        Path probe = Files.createTempFile(root, "probe-", ".tmp", fileAttributes);
        UserPrincipal me;
        try {
            me = Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
        if (!posix) {
            return;
        }
        Path parent = root.getParent();
        if (parent != null) {
            Set<PosixFilePermission> around = Files.getPosixFilePermissions(parent);
            boolean othersMayWrite = around.contains(PosixFilePermission.GROUP_WRITE)
                    || around.contains(PosixFilePermission.OTHERS_WRITE);
            if (othersMayWrite && !sticky(parent)) {
                throw new IOException(parent + " can be written by other users and has no sticky bit, so they could "
                        + "replace " + root.getFileName() + " in it; use a directory only you can write (or a sticky "
                        + "one such as /tmp)");
            }
        }
        PosixFileAttributes attributes = Files.readAttributes(root, PosixFileAttributes.class);
        if (!attributes.owner().equals(me)) {
            throw new IOException(root + " belongs to " + attributes.owner().getName() + ", not to "
                    + me.getName() + " who runs this process; another user could tamper with its locks. "
                    + "Use a directory of your own");
        }
        if (!attributes.permissions().equals(OWNER_DIRECTORY)) {
            Files.getFileAttributeView(root, PosixFileAttributeView.class).setPermissions(OWNER_DIRECTORY);
            log.info("Restricted {} to its owner (was {})", root, PosixFilePermissions.toString(attributes.permissions()));
        }
    }

    private static boolean sticky(Path directory) {
        try {
            return (((Integer) Files.getAttribute(directory, "unix:mode")) & 01000) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- stripes

    /** What runs while a stripe is locked against every other thread and process. */
    interface StripeWork<T> {
        T run(Stripe stripe) throws IOException;
    }

    /**
     * Runs {@code work} holding stripe {@code index}: first this JVM's lock for it, then the OS lock
     * on its file. Gives up with {@link LockBackendException} at {@code deadlineNanos}
     * ({@link System#nanoTime()}), or when the thread is interrupted while waiting.
     */
    <T> T withStripe(int index, long deadlineNanos, StripeWork<T> work) throws IOException {
        Stripe stripe = stripes[index];
        try {
            if (!stripe.jvmLock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw stripeTimeout(stripe, "another thread of this JVM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockBackendException("Interrupted while waiting for stripe file " + stripe.path, e);
        }
        try {
            FileLock lock = lockFile(stripe, deadlineNanos);
            try {
                return work.run(stripe);
            } finally {
                if (lock.isValid()) {
                    lock.release();
                }
            }
        } catch (ClosedChannelException e) {
            // An interrupt closed a channel mid-operation; the next operation reopens them.
            stripe.closeChannels();
            throw new IOException(stripe.path + ": closed by an interrupt", e);
        } catch (java.nio.file.FileSystemException | CorruptStripeException | Stripe.StripeFullException e) {
            throw e;
        } catch (IOException e) {
            // Write errors such as ENOSPC name no file; say which one.
            throw new IOException(stripe.path + ": " + e.getMessage(), e);
        } finally {
            stripe.jvmLock.unlock();
        }
    }

    private FileLock lockFile(Stripe stripe, long deadlineNanos) throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (stripe.channel == null || !stripe.channel.isOpen()) {
                open(stripe);
            }
            FileLock lock;
            try {
                lock = stripe.channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new LockBackendException("Stripe file " + stripe.path + " is already locked by this JVM through "
                        + "another path or channel; do not open the lock directory by other means", e);
            }
            if (lock != null) {
                boolean inPlace;
                try {
                    inPlace = stillInPlace(stripe);
                } catch (IOException | RuntimeException e) {
                    lock.release();
                    throw e;
                }
                if (inPlace) {
                    return lock;
                }
                // Deleted or replaced while we held it open (someone wiped the directory):
                // a lock on a file nobody else opens excludes nobody. Start over on the new one.
                log.warn("Stripe file {} was deleted or replaced; reopening it", stripe.path);
                lock.release();
                stripe.closeChannels();
                continue;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw stripeTimeout(stripe, "another process");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new LockBackendException("Interrupted while waiting for stripe file " + stripe.path,
                        new InterruptedException());
            }
            // Stripes are held for microseconds: spin briefly, then back off up to a millisecond.
            if (attempt < 16) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(Math.min(1_000_000L, 20_000L << Math.min(attempt - 16, 6)));
            }
        }
    }

    private void open(Stripe stripe) throws IOException {
        stripe.closeChannels();
        if (!Files.isDirectory(stripesDirectory) || !Files.isDirectory(signals)) {
            log.warn("Lock directory {} was removed while in use; recreating it (locks held in it are lost)", root);
            createLayout();
            rewatch();
        }
        FileChannel channel = FileChannel.open(stripe.path, STRIPE_OPEN, fileAttributes);
        try {
            stripe.fileKey = Files.readAttributes(stripe.path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        stripe.channel = channel;
        stripe.signal = FileChannel.open(stripe.signalPath, SIGNAL_OPEN, fileAttributes);
    }

    private static boolean stillInPlace(Stripe stripe) throws IOException {
        if (stripe.fileKey == null) {
            return true;
        }
        try {
            return stripe.fileKey.equals(Files.readAttributes(stripe.path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey());
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private LockBackendException stripeTimeout(Stripe stripe, String holder) {
        return new LockBackendException("Stripe file " + stripe.path + " stayed locked by " + holder
                + " for the whole operation timeout; stripes are held for microseconds, so a process holding it "
                + "is probably stopped (SIGSTOP, debugger) or its file system hangs");
    }

    // ---------------------------------------------------------------- release notification

    /**
     * Calls {@code listener} with the stripe index of every release signalled in this directory,
     * by any process (-1 after an event overflow: any stripe may have had one). Returns false when
     * this file system cannot notify, so waiters only poll.
     */
    boolean addReleaseListener(IntConsumer listener) {
        synchronized (watchLock) {
            if (watchService == null) {
                startWatching();
            }
            if (watchService == null) {
                return false;
            }
            releaseListeners.add(listener);
            return true;
        }
    }

    void removeReleaseListener(IntConsumer listener) {
        releaseListeners.remove(listener);
    }

    private void startWatching() {
        try {
            WatchService service = signals.getFileSystem().newWatchService();
            try {
                signals.register(service, StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | RuntimeException e) {
                service.close();
                throw e;
            }
            Thread thread = new Thread(() -> watch(service), "distlock-file-watch " + root);
            thread.setDaemon(true);
            thread.start();
            watchService = service;
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("No file change notification for {} ({}); waiters will poll at their retry interval",
                    signals, e.toString());
        }
    }

    private void rewatch() {
        synchronized (watchLock) {
            if (watchService != null) {
                try {
                    signals.register(watchService, StandardWatchEventKinds.ENTRY_MODIFY);
                } catch (IOException | ClosedWatchServiceException e) {
                    log.warn("Could not watch the recreated {} ({}); waiters will poll", signals, e.toString());
                }
            }
        }
    }

    private void stopWatching() {
        synchronized (watchLock) {
            if (watchService != null) {
                try {
                    watchService.close();
                } catch (IOException e) {
                    log.debug("Closing the watch on {} failed", signals, e);
                }
                watchService = null;
            }
        }
    }

    private void watch(WatchService service) {
        try {
            while (true) {
                WatchKey key = service.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    int stripe = event.kind() == StandardWatchEventKinds.OVERFLOW ? -1
                            : stripeOfSignal(((Path) event.context()).getFileName().toString());
                    if (stripe == -2) {
                        continue;
                    }
                    for (IntConsumer listener : releaseListeners) {
                        listener.accept(stripe);
                    }
                }
                // An invalid key means the directory went away; rewatch() registers the new one.
                key.reset();
            }
        } catch (ClosedWatchServiceException | InterruptedException closed) {
            // release() closed the watch.
        } catch (RuntimeException | Error e) {
            log.warn("The watch on {} stopped; waiters will poll at their retry interval", signals, e);
        }
    }

    /** The stripe a signal file belongs to; -2 for any other file. */
    private static int stripeOfSignal(String fileName) {
        if (fileName.length() != 2 || !Character.isDigit(fileName.charAt(0)) || !Character.isDigit(fileName.charAt(1))) {
            return -2;
        }
        int stripe = Integer.parseInt(fileName);
        return stripe < Names.STRIPES ? stripe : -2;
    }

    /** An I/O failure in words that name the path, e.g. {@code /x/locks: Not a directory}. */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fse && fse.getFile() != null) {
            String reason = fse.getReason();
            if (reason == null) {
                reason = e instanceof NoSuchFileException ? "does not exist"
                        : e instanceof java.nio.file.AccessDeniedException ? "access denied"
                        : e instanceof java.nio.file.NotDirectoryException ? "is not a directory"
                        : e instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                        : e.getClass().getSimpleName();
            }
            return fse.getFile() + (fse.getOtherFile() != null ? " -> " + fse.getOtherFile() : "") + ": " + reason;
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
