package io.distlock.benchmarks;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Why the file backend keeps its records inside stripe files: what each way of storing a ~400-byte
 * lock record costs on a given file system, against an in-place {@code pwrite} (the file backend's
 * way) measured in the same run.
 *
 * <pre>java -cp distlock-benchmarks/target/benchmarks.jar io.distlock.benchmarks.FileOperationCostHarness [directory]</pre>
 */
public final class FileOperationCostHarness {
    private static final byte[] RECORD = new byte[400];

    private FileOperationCostHarness() {
    }

    interface Operation {
        void run() throws IOException;
    }

    public static void main(String[] args) throws IOException {
        Path parent = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        Path directory = Files.createTempDirectory(parent, "distlock-fileops");
        try {
            File scratch = directory.resolve("scratch").toFile();
            File record = directory.resolve("record").toFile();
            Files.write(record.toPath(), RECORD);
            try (FileChannel stripe = FileChannel.open(directory.resolve("stripe"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(RECORD);
                double baseline = measure("in-place pwrite of the record (baseline)", () -> {
                    buffer.clear();
                    stripe.write(buffer, 0);
                }, 0);
                measure("create + write + close + unlink (a lock file per name)", () -> {
                    write(scratch);
                    Files.delete(scratch.toPath());
                }, baseline);
                measure("write a temp file + rename over the record", () -> {
                    write(scratch);
                    Files.move(scratch.toPath(), record.toPath(), StandardCopyOption.ATOMIC_MOVE);
                }, baseline);
                measure("truncate + rewrite the record", () -> write(record), baseline);
            }
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void write(File file) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file)) {
            out.write(RECORD);
        }
    }

    private static double measure(String what, Operation operation, double baseline) throws IOException {
        for (int i = 0; i < 3_000; i++) {
            operation.run();
        }
        long[] nanos = new long[10_000];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            operation.run();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        double median = nanos[nanos.length / 2] / 1e3;
        System.out.printf(Locale.ROOT, "%-58s median %7.1f us  p90 %7.1f us%s%n", what, median,
                nanos[nanos.length * 9 / 10] / 1e3,
                baseline > 0 ? String.format(Locale.ROOT, "  = %.0f x baseline", median / baseline) : "");
        return median;
    }
}
