package io.distlock.file;

import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.BackendOptions;
import io.distlock.spi.BackendUri;
import io.distlock.spi.Durations;
import io.distlock.spi.HolderRecord;
import io.distlock.spi.ListPages;
import io.distlock.spi.LockBackend;
import io.distlock.spi.Namespaces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Locks in a directory of the local file system: exact across the threads of one JVM and the
 * processes of one host that use the same directory, with no server. This is distlock's embedded
 * default. The default directory is per Unix user ({@link #defaultDirectory()}), so processes of
 * different users do not exclude each other there; a group directory
 * ({@link Builder#group(String)}, {@code file:/srv/locks?group=ops}) shares locks between users on
 * purpose.
 *
 * <pre>{@code
 * LockBackend backend = FileLockBackend.inDefaultDirectory();            // or LockBackends.open("file:")
 * LockBackend custom = FileLockBackend.builder()
 *         .directory(Path.of("/var/tmp/locks"))                          // file:/var/tmp/locks
 *         .namespace("billing")
 *         .build();
 * }</pre>
 *
 * <p>Each operation locks one of 64 stripe files briefly (this JVM's lock for the stripe, then the
 * OS lock on the file), reads and rewrites in place the records of that stripe's held locks, and
 * lets go; no OS lock is held for the length of a lease, and no file is created or deleted per
 * lock. A record carries the lease end (wall clock), the holder (host, pid, thread, and a process
 * identity for stale-holder detection) and the fencing token. See {@code distlock-file/README.md}
 * for the guarantees, failure modes and figures.
 */
public final class FileLockBackend implements LockBackend {
    public static final String DEFAULT_NAMESPACE = Namespaces.DEFAULT;
    /** How long one operation may wait for its stripe by default: 5 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The old name of {@link #DEFAULT_TIMEOUT}.
     *
     * @deprecated use {@link #DEFAULT_TIMEOUT}, the vocabulary's word
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public static final Duration DEFAULT_OPERATION_TIMEOUT = DEFAULT_TIMEOUT;
    private static final Logger log = LoggerFactory.getLogger(FileLockBackend.class);

    private final FileSettings settings;
    /** {@link FileSettings#timeout()} in nanoseconds: each operation's deadline is computed from it. */
    private final long timeoutNanos;
    private final LockDirectory store;
    private volatile Consumer<Collection<String>> releaseListener;
    /** The holder identity this JVM's records get: {@link HolderProcess#SELF} and any guard processes. */
    private volatile String holderProcesses = HolderProcess.SELF;
    private volatile boolean closed;

    private FileLockBackend(FileSettings settings) {
        this.settings = settings;
        this.timeoutNanos = Durations.saturatedNanos(settings.timeout());
        this.store = LockDirectory.acquire(settings.directory(), FileKeys.directoryOf(settings.namespace()),
                settings.group(), settings.defaultDirectory());
    }

    /** A backend on {@link #defaultDirectory()}, namespace {@value #DEFAULT_NAMESPACE}, stale-holder detection on. */
    public static FileLockBackend inDefaultDirectory() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code <java.io.tmpdir>/distlock-<uid>}, e.g. {@code /tmp/distlock-1000}, named by this
     * process's numeric uid: private to the user (rwx------), and the same for every process of
     * that user on the host that sees the same temporary directory (a systemd service with
     * {@code PrivateTmp=yes} does not: give such processes an explicit directory). Processes of
     * different users therefore never share locks here; to share them on purpose, use a group
     * directory ({@link Builder#group(String)}). If another user created this path first, opening
     * it is refused with a message that says so.
     */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "distlock-" + Identity.uid());
    }

    /** The per-operation timeout this backend was built with. */
    Duration timeout() {
        return settings.timeout();
    }

    /** Whether releases wake waiters through the file system's change notification. */
    boolean notifications() {
        return settings.notifications();
    }

    /** The base directory; the locks live in its subdirectory named after the namespace (a colon written {@code %3A}). */
    public Path directory() {
        return settings.directory();
    }

    public String namespace() {
        return settings.namespace();
    }

    /** The group whose members share the directory, or empty for an owner-only directory. */
    public Optional<String> group() {
        return Optional.ofNullable(settings.group());
    }

    /**
     * Makes {@code guard} one of the holder's processes for every lock this backend acquires from
     * now on: stale-holder detection then frees such a lock only once this JVM and every guard
     * process have ended (or when its lease ends, as always). For a process that acts for the lock
     * after this JVM has died and must finish first: {@code distlock run}'s watchdog, which kills
     * the command the lock guards. Locks acquired before the call keep the holder they had. A guard
     * that has already ended adds nothing; if the guard's start time cannot be read (which a
     * recycled pid could not be told apart by), later locks get no stale-holder detection at all
     * and end with their lease. At most 16 processes, this JVM
     * included.
     *
     * @param guard a process of this host, in this JVM's pid namespace (a child of this JVM, say)
     * @throws IllegalArgumentException if {@code guard} is null or there would be too many processes
     */
    public synchronized void addGuardProcess(ProcessHandle guard) {
        if (guard == null) {
            throw new IllegalArgumentException("guard process must not be null");
        }
        holderProcesses = HolderProcess.withGuard(holderProcesses, guard);
    }

    /**
     * The stripe file that records {@code name} while it is held: {@code stripes/NN} under
     * {@code <directory>/<namespace>}, where {@code NN} is {@link FileKeys#stripeOf}. For tests and
     * diagnostics in this package.
     */
    Path stripeFile(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("lock name must not be " + (name == null ? "null" : "empty"));
        }
        return store.stripeFile(FileKeys.stripeOf(name));
    }

    // ---------------------------------------------------------------- SPI

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        String name = request.name();
        return inStripe("acquire", name, FileKeys.stripeOf(name), stripe -> {
            StripeContent content = stripe.readOrExplain();
            Instant now = Instant.now();
            LockRecord current = content.find(name);
            if (current != null && holds(current, now)) {
                // Flagged in the same critical section as the check, so the release cannot slip
                // between them: it will signal, and every JVM's next look at the stripe reports it.
                if (!current.waited()) {
                    List<LockRecord> records = content.liveOthers(name, now);
                    records.add(current.waitedFor());
                    stripe.write(new StripeContent(content.seq() + 1, content.token(), records));
                }
                return AcquireResult.busy(current.info());
            }
            long token = content.nextToken(now);
            String process = request.pid() == ProcessHandle.current().pid() ? holderProcesses : "";
            LockRecord record = LockRecord.of(name, HolderRecord.of(request, Durations.plus(now, request.lease())),
                    token, process);
            List<LockRecord> records = content.liveOthers(name, now);
            records.add(record);
            stripe.write(new StripeContent(content.seq() + 1, token, records));
            return AcquireResult.acquired(token);
        });
    }

    @Override
    public boolean release(String name, String ownerId) {
        return inStripe("release", name, FileKeys.stripeOf(name), stripe -> {
            StripeContent content = stripe.readOrExplain();
            LockRecord current = content.find(name);
            if (current == null || !current.ownerId().equals(ownerId)) {
                return false;
            }
            Instant now = Instant.now();
            stripe.write(new StripeContent(content.seq() + 1, content.token(), content.liveOthers(name, now)));
            if (current.waited()) {
                stripe.signalRelease();
            }
            return !current.expiredAt(now);
        });
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        return inStripe("extend", name, FileKeys.stripeOf(name), stripe -> {
            StripeContent content = stripe.readOrExplain();
            LockRecord current = content.find(name);
            Instant now = Instant.now();
            if (current == null || !current.ownerId().equals(ownerId) || current.expiredAt(now)) {
                return false;
            }
            List<LockRecord> records = content.liveOthers(name, now);
            records.add(current.withExpiry(Durations.plus(now, lease)));
            stripe.write(new StripeContent(content.seq() + 1, content.token(), records));
            return true;
        });
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return inStripe("inspect", name, FileKeys.stripeOf(name), stripe -> {
            LockRecord current = stripe.readOrExplain().find(name);
            return current != null && holds(current, Instant.now()) ? Optional.of(current.info()) : Optional.empty();
        });
    }

    /**
     * Reads the stripe files one at a time and stops once it has found one lock more than
     * {@code limit}, so a truncated answer holds the locks of the first stripes, not the first by name.
     */
    @Override
    public ListPage list(String prefix, int limit) {
        int wanted = ListPages.wanted(limit);
        List<LockInfo> held = new ArrayList<>();
        for (int i = 0; i < Layout.STRIPES && held.size() < wanted; i++) {
            inStripe("list", prefix, i, stripe -> {
                Instant now = Instant.now();
                for (LockRecord record : stripe.readOrExplain().records()) {
                    if (record.name().startsWith(prefix) && holds(record, now)) {
                        held.add(record.info());
                    }
                }
                return null;
            });
        }
        return ListPages.of(held, limit);
    }

    /**
     * Removes the name's record whoever holds it. If its stripe file is corrupt, this resets the
     * stripe, which frees every lock recorded in it (they were unusable anyway); the token counter
     * continues from the wall clock.
     */
    @Override
    public boolean forceRelease(String name) {
        return inStripe("forceRelease", name, FileKeys.stripeOf(name), stripe -> {
            StripeContent content;
            try {
                content = stripe.read();
            } catch (CorruptStripeException e) {
                log.warn("Force-release of '{}' resets the corrupt stripe file {} ({}); every lock recorded in it "
                        + "is released", name, stripe.path, e.getMessage());
                stripe.write(new StripeContent(1, 0, List.of()));
                stripe.signalRelease();
                return true;
            }
            Instant now = Instant.now();
            LockRecord current = content.find(name);
            if (current == null) {
                return false;
            }
            stripe.write(new StripeContent(content.seq() + 1, content.token(), content.liveOthers(name, now)));
            stripe.signalRelease();
            return holds(current, now);
        });
    }

    @Override
    public void start(BackendEvents events) {
        if (!settings.notifications() || events == null) {
            return;
        }
        Consumer<Collection<String>> listener = events::released;
        if (store.addReleaseListener(listener)) {
            releaseListener = listener;
        }
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Consumer<Collection<String>> listener = releaseListener;
        if (listener != null) {
            store.removeReleaseListener(listener);
        }
        store.release();
    }

    @Override
    public String toString() {
        return "FileLockBackend{" + describe() + "}";
    }

    // ---------------------------------------------------------------- internals

    /**
     * Runs {@code work} under the stripe's locks, within the operation timeout. The interrupt
     * status is set aside meanwhile: an interrupted thread would close the shared stripe channel
     * at its first file operation (FileChannel is interruptible), and release must work from an
     * interrupted thread. An interrupt that arrives while waiting for the stripe still ends the wait.
     */
    private <T> T inStripe(String operation, String name, int stripe, StripeLocks.StripeWork<T> work) {
        if (closed) {
            throw new LockBackendException(operation + " of lock '" + name + "': " + describe() + " is closed");
        }
        boolean interrupted = Thread.interrupted();
        try {
            return store.withStripe(stripe, System.nanoTime() + timeoutNanos, work);
        } catch (IOException e) {
            throw new LockBackendException(operation + " of lock '" + name + "' in " + describe() + " failed: "
                    + LockDirectory.describe(e), e);
        } catch (LockBackendException e) {
            throw new LockBackendException(operation + " of lock '" + name + "' in " + describe() + " failed: "
                    + e.getMessage(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean holds(LockRecord record, Instant now) {
        if (record.expiredAt(now)) {
            return false;
        }
        return !settings.staleHolderDetection() || HolderProcess.judge(record.process()) != HolderProcess.Verdict.GONE;
    }

    /** Settings for a {@link FileLockBackend}; {@link #build()} checks them and creates the directory. */
    public static final class Builder {
        /** Null: {@link #defaultDirectory()}. */
        private Path directory;
        private String group;
        private boolean staleHolderDetection = true;
        private final BackendOptions options = new BackendOptions("operationTimeout", "releaseNotifications");
        /** Null: built without a URI. */
        private BackendUri uri;

        private Builder() {
        }

        /** The base directory (default {@link #defaultDirectory()}); created rwx------ if missing. */
        public Builder directory(Path directory) {
            if (directory == null) {
                throw new IllegalArgumentException("directory must not be null");
            }
            this.directory = directory;
            return this;
        }

        /**
         * The subdirectory for this application's locks (default {@value #DEFAULT_NAMESPACE}):
         * 1 to 100 characters of {@code A-Z a-z 0-9 . _ : -}, as for every backend
         * ({@link Namespaces}). The directory is named after it, a colon written {@code %3A}.
         */
        public Builder namespace(String namespace) {
            options.namespace(Namespaces.requireValid(namespace));
            return this;
        }

        /**
         * Shares the directory between the Unix users of {@code group}, on purpose (default: none,
         * the directory is its owner's alone). The base directory must belong to the group with
         * mode {@code 2770} (setgid: what is created in it gets the group); it is created so if
         * missing. Files are then {@code rw-rw----} and directories {@code rwxrws---}, and anything
         * not so is refused. Every member of the group can take, release and force-release every
         * lock in it: put only users who trust each other in the group. Needs an explicit
         * {@link #directory(Path)}.
         *
         * @param group a group name of this host; {@link #build()} refuses one that does not exist
         */
        public Builder group(String group) {
            if (group == null || group.isEmpty() || group.length() > 64
                    || !group.chars().allMatch(c -> FileKeys.isSafe((char) c))) {
                throw new IllegalArgumentException("group must be a group name of this host (1 to 64 characters of "
                        + "[A-Za-z0-9._-]), but was "
                        + (group == null ? "null" : "'" + group + "'"));
            }
            this.group = group;
            return this;
        }

        /**
         * Whether a lock whose holder process on this host is provably gone (its pid is not alive,
         * or is alive with another start time) is free at once instead of at lease end. Default on.
         */
        public Builder staleHolderDetection(boolean enabled) {
            this.staleHolderDetection = enabled;
            return this;
        }

        /**
         * Whether waiters are woken by the file system's change notification (inotify on Linux)
         * when a lock they found busy is released, in this process or another: such a release
         * rewrites its stripe's signal file. Default on; without it they poll at their retry
         * interval.
         */
        public Builder notifications(boolean enabled) {
            options.notifications(enabled);
            return this;
        }

        /**
         * The old name of {@link #notifications(boolean)}; the backend logs a warning that says so.
         *
         * @deprecated use {@link #notifications(boolean)}, the vocabulary's word
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder releaseNotifications(boolean enabled) {
            options.oldNotifications(enabled);
            return this;
        }

        /** How long one operation may wait for its stripe before it fails (default 5 s). */
        public Builder timeout(Duration timeout) {
            options.timeout(timeout);
            return this;
        }

        /**
         * The old name of {@link #timeout(Duration)}; the backend logs a warning that says so.
         *
         * @deprecated use {@link #timeout(Duration)}, the vocabulary's word
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder operationTimeout(Duration timeout) {
            options.oldTimeout(timeout);
            return this;
        }

        /** For the URI: where the settings of {@link BackendOptions} come from when not set here. */
        Builder fromUri(BackendUri uri) {
            this.uri = uri;
            return this;
        }

        /**
         * Creates the directories if needed and opens the backend.
         *
         * @throws LockBackendException     naming the path, its owner and mode if the directory cannot
         *                                  be created or written, or another user could tamper with it
         * @throws IllegalArgumentException if the group does not exist, or a group is set without a
         *                                  directory
         */
        public FileLockBackend build() {
            return new FileLockBackend(FileSettings.resolve(directory, group, staleHolderDetection, options, uri));
        }
    }
}
