package io.distlock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One of the {@value Layout#STRIPES} stripe files of a lock directory, and this JVM's handle on it.
 * The stripe's OS file lock excludes other processes; {@link #jvmLock} excludes the other threads
 * of this JVM, which a {@code FileLock} cannot (it is held per process, and a second attempt in
 * the same JVM throws {@code OverlappingFileLockException}).
 *
 * <p>The file has {@value Layout#SLOTS} slots, at offsets 0 and {@link Layout#SLOT_SIZE}, each
 * holding a {@link StripeContent} with a sequence number and a CRC. A write goes to the slot that
 * does not hold the current content, and a read takes the valid slot with the higher sequence
 * number. So a write cut short (a process killed mid-write, a host losing power) leaves the stripe
 * as it was before that operation, which never returned: never garbage, never a half-written lock.
 *
 * <p>Everything but {@link #jvmLock} is guarded by {@link #jvmLock}.
 */
final class Stripe {
    private static final int FIRST_READ = 2048;

    final Path path;
    /** Written on every release someone waited for, so waiters in other processes get a file-change event. */
    final Path signalPath;
    final ReentrantLock jvmLock = new ReentrantLock();

    FileChannel channel;
    /** The (device, inode) the channel was opened on, to notice a stripe file deleted behind our back. */
    Object fileKey;
    FileChannel signal;
    private int currentSlot = -1;
    /** What this operation last read or wrote: the stripe as it stands; null before the first read. */
    private StripeContent current;
    /** The waited-for records at this JVM's last look, to tell which of them went away since. */
    private List<LockRecord> waitedAtLastLook = List.of();
    private final ByteBuffer firstRead = ByteBuffer.allocate(FIRST_READ);
    private final ByteBuffer signalBytes = ByteBuffer.allocate(Long.BYTES);
    private long signals;

    Stripe(Path path, Path signalPath) {
        this.path = path;
        this.signalPath = signalPath;
    }

    /** {@link #read()}, a corrupt content reported with what to do about it. */
    StripeContent readOrExplain() throws IOException {
        try {
            return read();
        } catch (CorruptStripeException e) {
            throw new CorruptStripeException("stripe file " + path + " is not valid distlock data ("
                    + e.getMessage() + "); nothing was changed. Force-releasing any lock of this stripe resets it");
        }
    }

    /** The current content: the newer valid slot, or {@link StripeContent#EMPTY} for a new file. */
    StripeContent read() throws IOException, CorruptStripeException {
        StripeContent newest = null;
        String problem = null;
        currentSlot = -1;
        current = null;
        for (int slot = 0; slot < Layout.SLOTS; slot++) {
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
        if (newest == null && problem != null) {
            throw new CorruptStripeException(problem);
        }
        current = newest != null ? newest : StripeContent.EMPTY;
        return current;
    }

    /** Null if the slot was never written. */
    private StripeContent readSlot(int slot) throws IOException, CorruptStripeException {
        long offset = (long) slot * Layout.SLOT_SIZE;
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
        if (bytes.length > Layout.SLOT_SIZE) {
            throw new StripeFullException(this, bytes.length);
        }
        int target = currentSlot == 0 ? 1 : 0;
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long offset = (long) target * Layout.SLOT_SIZE;
        while (buffer.hasRemaining()) {
            channel.write(buffer, offset + buffer.position());
        }
        currentSlot = target;
        current = content;
    }

    /** Tells watchers in every process that a lock of this stripe was released. */
    void signalRelease() throws IOException {
        signalBytes.clear();
        signalBytes.putLong(0, ++signals);
        while (signalBytes.hasRemaining()) {
            signal.write(signalBytes, signalBytes.position());
        }
    }

    /** Forgets what the last operation read, before the next one starts. */
    void startLook() {
        current = null;
    }

    /**
     * The names whose waited-for record was in the stripe at this JVM's previous look and is not
     * in it now (released, force-released, expired and replaced, or taken over: a token is issued
     * once per stripe, so a record that is still there has the same name and token). A name someone waits for
     * has a waited record ({@code tryAcquire} sets the flag before it answers busy) that stays
     * until it goes for one of these reasons, and whichever thread of this JVM first sees the
     * stripe without it reports it: so no release is missed however the looks interleave, and
     * what is remembered is bounded by what the stripe holds. Empty if the operation read nothing.
     */
    List<String> releasedSinceLastLook() {
        if (current == null) {
            return List.of();
        }
        List<LockRecord> waitedNow = List.of();
        for (LockRecord record : current.records()) {
            if (record.waited()) {
                if (waitedNow.isEmpty()) {
                    waitedNow = new ArrayList<>();
                }
                waitedNow.add(record);
            }
        }
        List<String> released = List.of();
        for (LockRecord before : waitedAtLastLook) {
            if (!stillThere(waitedNow, before)) {
                if (released.isEmpty()) {
                    released = new ArrayList<>();
                }
                released.add(before.name());
            }
        }
        waitedAtLastLook = waitedNow;
        return released;
    }

    private static boolean stillThere(List<LockRecord> records, LockRecord wanted) {
        for (LockRecord record : records) {
            if (record.token() == wanted.token() && record.name().equals(wanted.name())) {
                return true;
            }
        }
        return false;
    }

    void closeChannels() {
        FileChannel open = channel;
        FileChannel openSignal = signal;
        channel = null;
        signal = null;
        fileKey = null;
        currentSlot = -1;
        current = null;
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
                    + Layout.SLOT_SIZE + "-byte slot; release some locks or spread them over namespaces");
        }
    }
}
