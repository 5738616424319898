package io.distlock.faults;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The two resources a workload client updates inside the lock. */
final class GuardedResources {
    private GuardedResources() {
    }

    /**
     * Jepsen's lock-set, unfenced: read the set, add an element, write it back. Nothing but the lock
     * keeps two read-modify-writes apart, so an element written and later missing is a lost update,
     * caused by two holders in the section at once. Each write replaces the file atomically (a
     * rename), so a client killed mid-write loses nothing: every lost element is an overlap's.
     */
    static final class LockSet {
        private final Path file;

        LockSet(Path file) {
            this.file = file;
        }

        Set<String> read() throws IOException {
            return Files.exists(file) ? new LinkedHashSet<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                    : new LinkedHashSet<>();
        }

        void write(Set<String> elements, String writer) throws IOException {
            Path temporary = file.resolveSibling(file.getFileName() + "." + writer + ".tmp");
            Files.write(temporary, elements, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The fenced resource: a file register that remembers the highest token it has seen and refuses
     * a read or a write with a lower one (a storage service checking fencing tokens, as Kleppmann
     * describes). Every access is one compare-and-act under an exclusive {@link FileChannel} lock on
     * the register's lock file, so it is atomic across processes; the value file is replaced by a
     * rename, so a client killed mid-write leaves the previous value. A read records its token too:
     * without that, a stale holder that read before a newer holder's read but writes after it would
     * still pass (its token is higher than every token written so far) and lose the newer write.
     */
    static final class FencedRegister {
        private final Path lockFile;
        private final Path valueFile;

        FencedRegister(Path directory) throws IOException {
            Files.createDirectories(directory);
            this.lockFile = directory.resolve("register.lock");
            this.valueFile = directory.resolve("register.value");
        }

        /** The elements, or null if {@code token} is lower than one seen before (refused). */
        @SuppressWarnings("try")
        Set<String> read(long token) throws IOException {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Value value = load();
                if (token < value.highest) {
                    return null;
                }
                if (token > value.highest) {
                    store(new Value(token, value.elements), "r");
                }
                return value.elements;
            }
        }

        /** Writes {@code elements} unless {@code token} is lower than one seen before; false if refused. */
        @SuppressWarnings("try")
        boolean write(long token, Set<String> elements, String writer) throws IOException {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Value value = load();
                if (token < value.highest) {
                    return false;
                }
                store(new Value(token, elements), writer);
                return true;
            }
        }

        /** The final content, for the checker (read once every client is gone). */
        Set<String> elements() throws IOException {
            return load().elements;
        }

        private Value load() throws IOException {
            if (!Files.exists(valueFile)) {
                return new Value(Long.MIN_VALUE, new LinkedHashSet<>());
            }
            List<String> lines = Files.readAllLines(valueFile, StandardCharsets.UTF_8);
            return new Value(Long.parseLong(lines.get(0)), new LinkedHashSet<>(lines.subList(1, lines.size())));
        }

        private void store(Value value, String writer) throws IOException {
            List<String> lines = new ArrayList<>();
            lines.add(Long.toString(value.highest));
            lines.addAll(value.elements);
            Path temporary = valueFile.resolveSibling("register." + writer + "." + ProcessHandle.current().pid() + ".tmp");
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
            Files.move(temporary, valueFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        private record Value(long highest, Set<String> elements) {
        }
    }
}
