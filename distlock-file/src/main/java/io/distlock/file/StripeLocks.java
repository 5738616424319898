package io.distlock.file;

import io.distlock.LockBackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The stripes of one directory and the two locks every operation takes on one of them: first this
 * JVM's lock for the stripe, then the OS lock on its file, which a stripe holds for microseconds.
 * Each stripe file is opened once per JVM and kept open: POSIX drops all of a process's locks on a
 * file when <i>any</i> descriptor of that file is closed.
 */
final class StripeLocks {
    private static final Logger log = LoggerFactory.getLogger(StripeLocks.class);
    private static final Set<OpenOption> STRIPE_OPEN = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE);
    private static final Set<OpenOption> SIGNAL_OPEN = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE);

    /** What runs while a stripe is locked against every other thread and process. */
    interface StripeWork<T> {
        T run(Stripe stripe) throws IOException;
    }

    private final DirectoryGuard guard;
    /** Called (holding a stripe) after the layout was recreated, so the release watch follows the new directory. */
    private final Runnable afterRecreate;
    private final Stripe[] stripes = new Stripe[Layout.STRIPES];
    /** Set before the last user closes the files: nothing may open them again afterwards. */
    private volatile boolean closed;

    StripeLocks(DirectoryGuard guard, Runnable afterRecreate) {
        this.guard = guard;
        this.afterRecreate = afterRecreate;
        Path stripeFiles = Layout.stripesDirectory(guard.root);
        Path signals = Layout.signalsDirectory(guard.root);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe(stripeFiles.resolve(Layout.fileName(i)), signals.resolve(Layout.fileName(i)));
        }
    }

    /** The file of stripe {@code index}. */
    Path path(int index) {
        return stripes[index].path;
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
            if (closed) {
                throw new IOException(stripe.path + ": the lock directory was closed");
            }
            stripe.startLook();
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
        } catch (FileSystemException | CorruptStripeException | Stripe.StripeFullException e) {
            throw e;
        } catch (IOException e) {
            // Write errors such as ENOSPC name no file; say which one.
            throw new IOException(stripe.path + ": " + e.getMessage(), e);
        } finally {
            stripe.jvmLock.unlock();
        }
    }

    /** Closes every stripe file for good (the directory's last user is done). */
    void closeAll() {
        closed = true;
        for (Stripe stripe : stripes) {
            stripe.jvmLock.lock();
            try {
                stripe.closeChannels();
            } finally {
                stripe.jvmLock.unlock();
            }
        }
    }

    // open(stripe) sets stripe.channel when it is null or closed; NullAway cannot see into it.
    @SuppressWarnings("NullAway")
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

    /**
     * Opens the stripe's files, after checking the whole directory again (a file replaced behind
     * this JVM's back may mean the directory was replaced too) and recreating what is missing.
     */
    private void open(Stripe stripe) throws IOException {
        stripe.closeChannels();
        boolean recreate = !guard.layoutPresent();
        if (recreate) {
            log.warn("Lock directory {} was removed while in use; recreating it (locks held in it are lost)",
                    guard.root);
        }
        guard.verify();
        if (recreate) {
            afterRecreate.run();
        }
        FileChannel channel = guard.openFile(stripe.path, STRIPE_OPEN);
        try {
            stripe.fileKey = DirectoryGuard.fileKey(stripe.path);
            stripe.signal = guard.openFile(stripe.signalPath, SIGNAL_OPEN);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        stripe.channel = channel;
    }

    private static boolean stillInPlace(Stripe stripe) throws IOException {
        return stripe.fileKey == null || stripe.fileKey.equals(DirectoryGuard.fileKey(stripe.path));
    }

    private static LockBackendException stripeTimeout(Stripe stripe, String holder) {
        return new LockBackendException("Stripe file " + stripe.path + " stayed locked by " + holder
                + " for the whole operation timeout; stripes are held for microseconds, so a process holding it "
                + "is probably stopped (SIGSTOP, debugger) or its file system hangs");
    }
}
