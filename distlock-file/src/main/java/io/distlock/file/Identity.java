package io.distlock.file;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The numeric uid this process acts as towards the file system, without native code. Names are no
 * substitute: {@code user.name} can be set on the command line, and every uid without a passwd
 * entry has the same one ({@code ?}).
 *
 * <p>On Linux it is the kernel's word, the file-system uid of {@code /proc/self/status} (the last
 * of its {@code Uid:} fields: the one the kernel checks file access and ownership by). Elsewhere
 * it is the owner of a file this process has just created in {@code java.io.tmpdir}, which a
 * file system that maps owners (a squashing NFS mount) may report differently; a refusal that
 * follows then names both.
 */
final class Identity {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static volatile @Nullable Integer uid;

    private Identity() {
    }

    static int uid() {
        Integer known = uid;
        if (known == null) {
            known = uid = find();
        }
        return known;
    }

    private static int find() {
        try {
            if (Files.isReadable(STATUS)) {
                for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                    if (line.startsWith("Uid:")) {
                        String[] fields = line.substring(4).trim().split("\\s+");
                        return Integer.parseInt(fields[fields.length - 1]);
                    }
                }
            }
            Path probe = Files.createTempFile("distlock-uid-", ".tmp");
            try {
                return (Integer) Files.getAttribute(probe, "unix:uid");
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot tell which uid this process runs as: " + e.getMessage(), e);
        }
    }
}
