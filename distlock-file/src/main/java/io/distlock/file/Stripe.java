package io.distlock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One of the {@value Names#STRIPES} stripe files of a lock directory, and this JVM's handle on it.
 * The stripe's OS file lock excludes other processes; {@link #jvmLock} excludes the other threads
 * of this JVM, which a {@code FileLock} cannot (it is held per process, and a second attempt in
 * the same JVM throws {@code OverlappingFileLockException}).
 *
 * <p>The file has two slots, at offsets 0 and {@link #SLOT_SIZE}, each holding a
 * {@link StripeContent} with a sequence number and a CRC. A write goes to the slot that does not
 * hold the current content, and a read takes the valid slot with the higher sequence number. So
 * a write cut short (a process killed mid-write, a host losing power) leaves the stripe as it was
 * before that operation, which never returned: never garbage, never a half-written lock.
 *
 * <p>Everything but {@link #jvmLock} is guarded by {@link #jvmLock}.
 */
final class Stripe {
    /** Room for the records of one stripe: thousands of held locks; unused room is a file-system hole. */
    static final int SLOT_SIZE = 1 << 20;
    private static final int FIRST_READ = 2048;

    final int index;
    final Path path;
    /** Written on every release, so waiters in other processes get a file-change event. */
    final Path signalPath;
    final ReentrantLock jvmLock = new ReentrantLock();

    FileChannel channel;
    /** The (device, inode) the channel was opened on, to notice a stripe file deleted behind our back. */
    Object fileKey;
    FileChannel signal;
    private int currentSlot = -1;
    private final ByteBuffer firstRead = ByteBuffer.allocate(FIRST_READ);
    private final ByteBuffer signalBytes = ByteBuffer.allocate(Long.BYTES);
    private long signals;

    Stripe(int index, Path path, Path signalPath) {
        this.index = index;
        this.path = path;
        this.signalPath = signalPath;
    }

    /** The current content: the newer valid slot, or {@link StripeContent#EMPTY} for a new file. */
    StripeContent read() throws IOException, CorruptStripeException {
        StripeContent newest = null;
        String problem = null;
        currentSlot = -1;
        for (int slot = 0; slot < 2; slot++) {
            try {
                StripeContent content = readSlot(slot);
                if (content != null && (newest == null || content.seq() > newest.seq())) {
                    newest = content;
                    currentSlot = slot;
                }
            } catch (CorruptStripeException e) {
                problem = "slot " + slot + ": " + e.getMessage();
            }
        }
        if (newest != null) {
            return newest;
        }
        if (problem != null) {
            throw new CorruptStripeException(problem);
        }
        return StripeContent.EMPTY;
    }

    /** Null if the slot was never written. */
    private StripeContent readSlot(int slot) throws IOException, CorruptStripeException {
        long offset = (long) slot * SLOT_SIZE;
        firstRead.clear();
        int n = readFully(firstRead, offset);
        byte[] bytes = firstRead.array();
        if (n <= 0 || bytes[0] == 0) {
            return null;
        }
        int length = StripeContent.announcedLength(bytes, n);
        if (length < 0) {
            throw new CorruptStripeException("its header line is missing or cut off");
        }
        if (length > n) {
            bytes = Arrays.copyOf(bytes, length);
            ByteBuffer rest = ByteBuffer.wrap(bytes, n, length - n);
            n += readFully(rest, offset + n);
        }
        return StripeContent.parse(bytes, n);
    }

    private int readFully(ByteBuffer buffer, long offset) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, offset + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Writes {@code content} into the slot that does not hold the current content. */
    void write(StripeContent content) throws IOException {
        byte[] bytes = content.encode();
        if (bytes.length > SLOT_SIZE) {
            throw new StripeFullException(this, bytes.length);
        }
        int target = currentSlot == 0 ? 1 : 0;
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long offset = (long) target * SLOT_SIZE;
        while (buffer.hasRemaining()) {
            channel.write(buffer, offset + buffer.position());
        }
        currentSlot = target;
    }

    /** Tells watchers in every process that a lock of this stripe was released. */
    void signalRelease() throws IOException {
        signalBytes.clear();
        signalBytes.putLong(0, ++signals);
        while (signalBytes.hasRemaining()) {
            signal.write(signalBytes, signalBytes.position());
        }
    }

    void closeChannels() {
        FileChannel open = channel;
        FileChannel openSignal = signal;
        channel = null;
        signal = null;
        fileKey = null;
        currentSlot = -1;
        for (FileChannel c : new FileChannel[]{open, openSignal}) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // Closing only drops our lock and descriptor; nothing to recover.
                }
            }
        }
    }

    /** More held locks hash to one stripe than a slot can hold. */
    static final class StripeFullException extends IOException {
        StripeFullException(Stripe stripe, int bytes) {
            super("stripe file " + stripe.path + " would need " + bytes + " bytes for its held locks, more than its "
                    + SLOT_SIZE + "-byte slot; release some locks or spread them over namespaces");
        }
    }
}
