package io.distlock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One of the {@value LockFileName#STRIPES} stripe files of a lock directory, and this JVM's handle
 * on it. The stripe's OS file lock excludes other processes; {@link #jvmLock} excludes the other
 * threads of this JVM, which a {@code FileLock} cannot (it is held per process, and a second lock
 * attempt in the same JVM throws {@code OverlappingFileLockException}).
 *
 * <p>The stripe file also stores the stripe's token counter: 8 bytes, big-endian, at offset 0.
 *
 * <p>Everything but {@link #jvmLock} is guarded by {@link #jvmLock}.
 */
final class Stripe {
    final int index;
    final Path path;
    /** Scratch file for writing this stripe's records before renaming them into place. */
    final Path temp;
    final ReentrantLock jvmLock = new ReentrantLock();

    FileChannel channel;
    /** The (device, inode) the channel was opened on, to notice a stripe file deleted behind our back. */
    Object fileKey;
    private final ByteBuffer counter = ByteBuffer.allocate(Long.BYTES);

    Stripe(int index, Path path, Path temp) {
        this.index = index;
        this.path = path;
        this.temp = temp;
    }

    /** The last token issued under this stripe, or 0 for a new (or unreadable) stripe file. */
    long readCounter() throws IOException {
        counter.clear();
        while (counter.hasRemaining()) {
            if (channel.read(counter, counter.position()) < 0) {
                return 0;
            }
        }
        return counter.getLong(0);
    }

    void writeCounter(long value) throws IOException {
        counter.clear();
        counter.putLong(0, value);
        while (counter.hasRemaining()) {
            channel.write(counter, counter.position());
        }
    }

    void closeChannel() {
        FileChannel open = channel;
        channel = null;
        fileKey = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // Closing only drops our lock and descriptor; nothing to recover.
            }
        }
    }
}
