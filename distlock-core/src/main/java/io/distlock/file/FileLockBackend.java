package io.distlock.file;

import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.LockBackend;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Locks in a directory of the local file system: exact across the threads of one JVM and the
 * processes of one host, with no server. This is distlock's embedded default.
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
 * OS lock on the file), reads or replaces the name's small record file, and lets go; no OS lock is
 * held for the length of a lease. Records carry the lease end (wall clock), the holder (host, pid,
 * thread, and a process identity for stale-holder detection) and the fencing token. See
 * {@code README-file-backend.md} in distlock-core for the guarantees, failure modes and figures.
 */
public final class FileLockBackend implements LockBackend {
    public static final String DEFAULT_NAMESPACE = "distlock";
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(5);
    /** How many names waited for (busy at the last attempt) are remembered to map file events back to names. */
    static final int WATCHED_NAMES = 4096;

    private final Path directory;
    private final String namespace;
    private final boolean staleHolderDetection;
    private final boolean releaseNotifications;
    private final long operationTimeoutNanos;
    private final LockDirectory store;
    private final Map<String, String> watchedNames = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > WATCHED_NAMES;
        }
    };
    private volatile Consumer<String> deletionListener;
    private volatile boolean closed;

    private FileLockBackend(Builder builder) {
        this.directory = builder.directory.toAbsolutePath().normalize();
        this.namespace = builder.namespace;
        this.staleHolderDetection = builder.staleHolderDetection;
        this.releaseNotifications = builder.releaseNotifications;
        this.operationTimeoutNanos = builder.operationTimeout.toNanos();
        this.store = LockDirectory.acquire(directory.resolve(namespace));
    }

    /** A backend on {@link #defaultDirectory()}, namespace {@value #DEFAULT_NAMESPACE}, stale-holder detection on. */
    public static FileLockBackend inDefaultDirectory() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code <java.io.tmpdir>/distlock-<user name>}: private to the user (rwx------), and the same
     * for every process of that user on the host that sees the same temporary directory (a systemd
     * service with {@code PrivateTmp=yes} does not: give such processes an explicit directory).
     */
    public static Path defaultDirectory() {
        String user = System.getProperty("user.name", "");
        StringBuilder safe = new StringBuilder();
        for (int i = 0; i < user.length() && safe.length() < 64; i++) {
            char c = user.charAt(i);
            safe.append(LockFileName.isSafe(c) ? c : '_');
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "distlock-" + (safe.length() == 0 ? "user" : safe));
    }

    /** The base directory; the locks live in its subdirectory named after the namespace. */
    public Path directory() {
        return directory;
    }

    public String namespace() {
        return namespace;
    }

    /**
     * The record file that exists while {@code name} is held. The mapping is documented and the
     * same in every process and on every host: {@code locks/n_<readable prefix>.<sha256 hex>.lock}
     * under {@code <directory>/<namespace>}.
     */
    public Path lockFile(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("lock name must not be " + (name == null ? "null" : "empty"));
        }
        return store.records.resolve(LockFileName.of(name).fileName());
    }

    // ---------------------------------------------------------------- SPI

    @Override
    public OptionalLong tryAcquire(AcquireRequest request) {
        LockFileName key = LockFileName.of(request.name());
        return inStripe("acquire", key, stripe -> {
            Path file = store.records.resolve(key.fileName());
            LockRecord current = read(file, key);
            Instant now = Instant.now();
            if (current != null && holds(current, now)) {
                watch(key);
                return OptionalLong.empty();
            }
            // The wall clock in microseconds is a floor under the counter, so tokens keep growing
            // even if a crash of the host lost the counter's last write (it is not fsynced).
            long token = Math.max(stripe.readCounter() + 1, epochMicros(now));
            stripe.writeCounter(token);
            String process = request.pid() == ProcessHandle.current().pid() ? HolderProcess.SELF : "";
            LockRecord record = LockRecord.of(request.name(), request.ownerId(), request.host(), request.pid(),
                    request.thread(), request.acquiredAt(), now.plus(request.lease()), token, process);
            store.replaceAtomically(stripe, file, record.encode());
            return OptionalLong.of(token);
        });
    }

    @Override
    public boolean release(String name, String ownerId) {
        LockFileName key = LockFileName.of(name);
        return inStripe("release", key, stripe -> {
            Path file = store.records.resolve(key.fileName());
            LockRecord current = read(file, key);
            if (current == null || !current.ownerId().equals(ownerId)) {
                return false;
            }
            Files.delete(file);
            return !current.expiredAt(Instant.now());
        });
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        LockFileName key = LockFileName.of(name);
        return inStripe("extend", key, stripe -> {
            Path file = store.records.resolve(key.fileName());
            LockRecord current = read(file, key);
            Instant now = Instant.now();
            if (current == null || !current.ownerId().equals(ownerId) || current.expiredAt(now)) {
                return false;
            }
            store.replaceAtomically(stripe, file, current.withExpiry(now.plus(lease)).encode());
            return true;
        });
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        LockFileName key = LockFileName.of(name);
        return inStripe("inspect", key, stripe -> {
            LockRecord current = read(store.records.resolve(key.fileName()), key);
            return current != null && holds(current, Instant.now()) ? Optional.of(current.info()) : Optional.empty();
        });
    }

    /** Also deletes the lock files of expired leases and of holders proven gone, which it passes by. */
    @Override
    public List<LockInfo> list(String prefix) {
        List<String> fileNames = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(store.records, "n_*" + LockFileName.SUFFIX)) {
            for (Path file : files) {
                fileNames.add(file.getFileName().toString());
            }
        } catch (IOException e) {
            throw new LockBackendException("list in " + describe() + " failed: " + LockDirectory.describe(e), e);
        }
        List<LockInfo> held = new ArrayList<>();
        for (String fileName : fileNames) {
            int stripeIndex = LockFileName.stripeOfFileName(fileName);
            if (stripeIndex < 0) {
                continue;
            }
            Path file = store.records.resolve(fileName);
            LockRecord current = inStripe("list", fileName, stripeIndex, stripe -> {
                LockRecord found = read(file, null);
                if (found != null && !holds(found, Instant.now())) {
                    Files.delete(file);
                    return null;
                }
                return found;
            });
            if (current != null && current.name().startsWith(prefix)) {
                held.add(current.info());
            }
        }
        held.sort(Comparator.comparing(LockInfo::name));
        return held;
    }

    /** Deletes the name's lock file whatever it holds, even content that is not a valid record. */
    @Override
    public boolean forceRelease(String name) {
        LockFileName key = LockFileName.of(name);
        return inStripe("forceRelease", key, stripe -> {
            Path file = store.records.resolve(key.fileName());
            if (!new File(file.toString()).exists()) {
                return false;
            }
            boolean held;
            try {
                LockRecord current = read(file, key);
                held = current != null && holds(current, Instant.now());
            } catch (BadRecordException garbage) {
                held = true;
            }
            return Files.deleteIfExists(file) && held;
        });
    }

    @Override
    public void start(BackendEvents events) {
        if (!releaseNotifications || events == null) {
            return;
        }
        Consumer<String> listener = fileName -> {
            if (fileName == null) {
                List<String> all;
                synchronized (watchedNames) {
                    all = new ArrayList<>(watchedNames.values());
                }
                all.forEach(events::released);
                return;
            }
            String name;
            synchronized (watchedNames) {
                name = watchedNames.get(fileName);
            }
            if (name != null) {
                events.released(name);
            }
        };
        if (store.addDeletionListener(listener)) {
            deletionListener = listener;
        }
    }

    @Override
    public String describe() {
        String uri = "file:" + directory.toString().replace(File.separatorChar, '/');
        return namespace.equals(DEFAULT_NAMESPACE) ? uri : uri + "?namespace=" + namespace;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Consumer<String> listener = deletionListener;
        if (listener != null) {
            store.removeDeletionListener(listener);
        }
        store.release();
    }

    @Override
    public String toString() {
        return "FileLockBackend{" + describe() + "}";
    }

    // ---------------------------------------------------------------- internals

    private interface RecordWork<T> {
        T run(Stripe stripe) throws IOException;
    }

    private <T> T inStripe(String operation, LockFileName key, RecordWork<T> work) {
        return inStripe(operation, key.name(), key.stripe(), work);
    }

    /**
     * Runs {@code work} under the stripe's locks, within the operation timeout. The interrupt
     * status is set aside meanwhile: an interrupted thread would close the shared stripe channel
     * at its first file operation (FileChannel is interruptible), and release must work from an
     * interrupted thread. An interrupt that arrives while waiting for the stripe still ends the wait.
     */
    private <T> T inStripe(String operation, String name, int stripe, RecordWork<T> work) {
        if (closed) {
            throw new LockBackendException(operation + " of lock '" + name + "': " + describe() + " is closed");
        }
        boolean interrupted = Thread.interrupted();
        try {
            return store.withStripe(stripe, System.nanoTime() + operationTimeoutNanos, work::run);
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

    /**
     * The record in {@code file}, or null if there is none.
     *
     * @param key the name the caller looked up (checked against the record), or null to accept any
     * @throws BadRecordException naming the file if it holds anything but a record for {@code key}
     */
    private static LockRecord read(Path file, LockFileName key) throws IOException {
        // java.io.File answers "no such file" without building an exception, which NIO does not.
        if (!new File(file.toString()).exists()) {
            return null;
        }
        byte[] bytes;
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            if (size > LockRecord.MAX_BYTES) {
                throw new BadRecordException(file, "it is " + size + " bytes long, more than any lock record");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read to the end
            }
            bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
        } catch (NoSuchFileException vanished) {
            return null;
        }
        LockRecord record;
        try {
            record = LockRecord.parse(bytes);
        } catch (LockRecord.CorruptRecordException e) {
            throw new BadRecordException(file, e.getMessage());
        }
        if (key != null && !record.name().equals(key.name())) {
            throw new BadRecordException(file, "it holds lock '" + record.name() + "' instead (a copied file, "
                    + "or a SHA-256 collision)");
        }
        return record;
    }

    /** A lock file whose content is not a record for the name it was read for. */
    static final class BadRecordException extends IOException {
        BadRecordException(Path file, String problem) {
            super("lock file " + file + " is not a valid distlock record: " + problem + ". Nothing was changed; "
                    + "if no process holds this lock, delete the file or force-release the lock");
        }
    }

    private boolean holds(LockRecord record, Instant now) {
        if (record.expiredAt(now)) {
            return false;
        }
        return !staleHolderDetection || HolderProcess.judge(record.process()) != HolderProcess.Verdict.GONE;
    }

    private void watch(LockFileName key) {
        if (deletionListener != null) {
            synchronized (watchedNames) {
                watchedNames.put(key.fileName(), key.name());
            }
        }
    }

    private static long epochMicros(Instant now) {
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Settings for a {@link FileLockBackend}; {@link #build()} checks them and creates the directory. */
    public static final class Builder {
        private Path directory = defaultDirectory();
        private String namespace = DEFAULT_NAMESPACE;
        private boolean staleHolderDetection = true;
        private boolean releaseNotifications = true;
        private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;

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
         * 1 to 64 characters of {@code [A-Za-z0-9._-]}, not {@code .} or {@code ..}.
         */
        public Builder namespace(String namespace) {
            if (namespace == null || namespace.isEmpty() || namespace.length() > 64 || namespace.equals(".")
                    || namespace.equals("..") || !namespace.chars().allMatch(c -> LockFileName.isSafe((char) c))) {
                throw new IllegalArgumentException("namespace must be 1 to 64 characters of [A-Za-z0-9._-] "
                        + "and not '.' or '..', but was " + (namespace == null ? "null" : "'" + namespace + "'"));
            }
            this.namespace = namespace;
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
         * when a lock file is deleted. Default on; without it they poll at their retry interval.
         */
        public Builder releaseNotifications(boolean enabled) {
            this.releaseNotifications = enabled;
            return this;
        }

        /** How long one operation may wait for its stripe before it fails (default 5 s). */
        public Builder operationTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("operationTimeout must be positive but was " + timeout);
            }
            this.operationTimeout = timeout;
            return this;
        }

        /**
         * Creates the directories if needed and opens the backend.
         *
         * @throws LockBackendException naming the path if the directory cannot be created or written,
         *                              or belongs to another user
         */
        public FileLockBackend build() {
            return new FileLockBackend(this);
        }
    }
}
