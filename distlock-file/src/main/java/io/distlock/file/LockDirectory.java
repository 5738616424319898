package io.distlock.file;

import io.distlock.LockBackendException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One namespace directory as this JVM sees it ({@link Layout}): its guard, its stripes and the
 * watch on its signal files. There is exactly one instance per directory per JVM (a static
 * registry keyed by the directory's real path), however many backends use it and by whatever
 * symbolic link, so the threads of this JVM always meet on the same in-JVM stripe locks and the
 * same open stripe files. That is what keeps {@code OverlappingFileLockException} impossible, and
 * it matters for another reason: POSIX drops all of a process's locks on a file when <i>any</i>
 * descriptor of that file is closed, so this JVM must never open a stripe file twice.
 *
 * <p><b>Which names were released.</b> While any backend listens, every operation on a stripe
 * ends by comparing the stripe's waited-for records with those of this JVM's previous look at it,
 * and reports the names whose record went away ({@link Stripe#releasedSinceLastLook()}) to every
 * listening backend of this JVM. A change event on a stripe's signal file is one more look, by the
 * watch thread. So the stripe itself says which names to report, and nothing is remembered beyond
 * the waited-for records the stripes hold.
 */
final class LockDirectory {
    private static final Logger log = LoggerFactory.getLogger(LockDirectory.class);
    /** How long the watch thread waits for a stripe to read it after a change event. */
    private static final long LOOK_TIMEOUT_NANOS = FileLockBackend.DEFAULT_TIMEOUT.toNanos();

    /**
     * Guards the registry and every instance's {@code users}. Lock order: {@code OPEN}, then a
     * stripe's {@code jvmLock}, then the watch's lock; never the other way round.
     */
    private static final Map<Path, LockDirectory> OPEN = new HashMap<>();

    final Path root;
    /** Null: owner-only. */
    private final @Nullable String groupName;
    private final StripeLocks stripes;
    private final ReleaseWatch watch;
    /** Guarded by {@link #OPEN}. */
    private int users;

    private LockDirectory(DirectoryGuard guard) {
        this.root = guard.root;
        this.groupName = guard.groupName();
        this.watch = new ReleaseWatch(Layout.signalsDirectory(root), "distlock-file-watch " + root, this::look);
        this.stripes = new StripeLocks(guard, watch::rewatch);
    }

    /**
     * Creates (if needed) and checks the namespace directory {@code namespace} in {@code directory}
     * ({@link DirectoryGuard}), and returns this JVM's shared instance for it. Release it with
     * {@link #release()}.
     *
     * @param groupName null for owner-only, else the group whose members share the directory
     * @throws LockBackendException     naming the path if the directory cannot be created or
     *                                  written, or others could tamper with it
     * @throws IllegalArgumentException if the group does not exist
     */
    static LockDirectory acquire(Path directory, String namespace, @Nullable String groupName, boolean defaultDirectory) {
        DirectoryGuard guard;
        try {
            guard = DirectoryGuard.open(directory, namespace, groupName, defaultDirectory);
        } catch (IOException e) {
            throw new LockBackendException("The lock directory " + directory.resolve(namespace) + " cannot be used: "
                    + describe(e), e);
        }
        synchronized (OPEN) {
            LockDirectory open = OPEN.computeIfAbsent(guard.root, root -> new LockDirectory(guard));
            if (!java.util.Objects.equals(open.groupName, groupName)) {
                throw new LockBackendException("The lock directory " + guard.root + " is open in this JVM "
                        + (open.groupName == null ? "owner-only" : "for group " + open.groupName) + "; it cannot be "
                        + "opened " + (groupName == null ? "owner-only" : "for group " + groupName) + " as well");
            }
            open.users++;
            return open;
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
            watch.stop();
            stripes.closeAll();
        }
    }

    /** The file of stripe {@code index}. */
    Path stripeFile(int index) {
        return stripes.path(index);
    }

    /**
     * Runs {@code work} holding stripe {@code index} (see {@link StripeLocks#withStripe}), then
     * reports to the listening backends the waited-for names it found gone from the stripe.
     */
    <T> T withStripe(int index, long deadlineNanos, StripeLocks.StripeWork<T> work) throws IOException {
        if (!watch.hasListeners()) {
            return stripes.withStripe(index, deadlineNanos, work);
        }
        Released released = new Released();
        T result = stripes.withStripe(index, deadlineNanos, stripe -> {
            T value = work.run(stripe);
            released.names = stripe.releasedSinceLastLook();
            return value;
        });
        // Reported after letting go of the stripe: a listener may call back into a backend.
        watch.report(released.names);
        return result;
    }

    /**
     * Calls {@code listener} with the names released in this directory, by any process. Returns
     * false when this file system cannot notify, so waiters only poll.
     */
    boolean addReleaseListener(Consumer<Collection<String>> listener) {
        return watch.addListener(listener);
    }

    void removeReleaseListener(Consumer<Collection<String>> listener) {
        watch.removeListener(listener);
    }

    /** The watch thread's look at a stripe whose signal file changed (every stripe for -1). */
    private void look(int index) {
        if (index < 0) {
            for (int i = 0; i < Layout.STRIPES; i++) {
                look(i);
            }
            return;
        }
        try {
            withStripe(index, System.nanoTime() + LOOK_TIMEOUT_NANOS, stripe -> stripe.read());
        } catch (IOException | LockBackendException e) {
            // The waiters' own next attempt meets the same problem and reports it; until then they poll.
            log.debug("Could not read stripe {} after its release signal", stripeFile(index), e);
        }
    }

    /** What one operation found released, carried out of the stripe's critical section. */
    private static final class Released {
        List<String> names = List.of();
    }

    /** An I/O failure in words that name the path, e.g. {@code /x/locks: Not a directory}. */
    static String describe(IOException e) {
        if (e instanceof FileSystemException fse && fse.getFile() != null) {
            String reason = fse.getReason();
            if (reason == null) {
                reason = e instanceof NoSuchFileException ? "does not exist"
                        : e instanceof AccessDeniedException ? "access denied"
                        : e instanceof NotDirectoryException ? "is not a directory"
                        : e instanceof FileAlreadyExistsException ? "already exists"
                        : e.getClass().getSimpleName();
            }
            return fse.getFile() + (fse.getOtherFile() != null ? " -> " + fse.getOtherFile() : "") + ": " + reason;
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
