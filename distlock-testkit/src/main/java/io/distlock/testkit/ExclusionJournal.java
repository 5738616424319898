package io.distlock.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of a mutual-exclusion run: every holder appends {@code ENTER who token} right after its
 * acquire returns and {@code EXIT who token} right before it releases, to one append-only file
 * shared by threads and processes. With exclusion, the lines must alternate ENTER/EXIT of the same
 * holder and tokens must strictly increase; the checker also keeps a counter file that each holder
 * increments non-atomically, so a lost update reveals an overlap the line order might hide.
 */
public final class ExclusionJournal {
    private final Path journal;
    private final Path counter;

    public ExclusionJournal(Path directory) {
        this.journal = directory.resolve("journal.log");
        this.counter = directory.resolve("counter.txt");
    }

    // journal is directory.resolve("journal.log"), so its parent is never null; NullAway cannot know.
    @SuppressWarnings("NullAway")
    public Path directory() {
        return journal.getParent();
    }

    /** Runs inside the lock: the journal lines and an unguarded read-modify-write of the counter. */
    public void criticalSection(String who, long token) throws IOException {
        append("ENTER " + who + " " + token + "\n");
        String read = Files.exists(counter) ? Files.readString(counter).trim() : "0";
        long value;
        if (read.matches("\\d+")) {
            value = Long.parseLong(read);
        } else {
            // Only another holder inside at the same time can be half-way through writing it.
            append("TORN " + who + " " + token + "\n");
            value = 0;
        }
        Thread.onSpinWait();
        Files.writeString(counter, Long.toString(value + 1));
        append("EXIT " + who + " " + token + "\n");
    }

    private void append(String line) throws IOException {
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /** Every violation found, empty if the run was exclusive and tokens increased. */
    public List<String> violations(long expectedSections) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> lines = Files.exists(journal) ? Files.readAllLines(journal) : List.of();
        String inside = null;
        long lastToken = Long.MIN_VALUE;
        long entered = 0;
        for (int i = 0; i < lines.size(); i++) {
            String[] parts = lines.get(i).split(" ");
            if (parts.length != 3) {
                problems.add("line " + (i + 1) + " is malformed: " + lines.get(i));
                continue;
            }
            String holder = parts[1] + " " + parts[2];
            long token = Long.parseLong(parts[2]);
            if (parts[0].equals("TORN")) {
                problems.add("line " + (i + 1) + ": " + holder + " read the shared counter while another holder was "
                        + "writing it");
            } else if (parts[0].equals("ENTER")) {
                entered++;
                if (inside != null) {
                    problems.add("line " + (i + 1) + ": " + holder + " entered while " + inside + " was inside");
                }
                if (token <= lastToken) {
                    problems.add("line " + (i + 1) + ": token " + token + " does not increase (previous " + lastToken + ")");
                }
                lastToken = Math.max(lastToken, token);
                inside = holder;
            } else {
                if (!holder.equals(inside)) {
                    problems.add("line " + (i + 1) + ": " + holder + " exited but " + inside + " was inside");
                }
                inside = null;
            }
        }
        long counted = Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0;
        if (entered != expectedSections) {
            problems.add(entered + " critical sections were journaled, expected " + expectedSections);
        }
        if (counted != expectedSections) {
            problems.add("the shared counter reached " + counted + " after " + expectedSections
                    + " increments: updates were lost to overlapping holders");
        }
        return problems;
    }
}
