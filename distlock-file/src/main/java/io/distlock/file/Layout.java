package io.distlock.file;

import java.nio.file.Path;

/**
 * The on-disk layout of one namespace directory, in one place, because every process that shares
 * the directory must agree on all of it or they would not exclude each other:
 *
 * <pre>
 * &lt;directory&gt;/&lt;namespace, encoded by FileKeys&gt;/
 *     layout           "distlock-file-layout 2 stripes=64 slot=1048576": written once, checked on every open
 *     stripes/00..63   the stripe files: OS-locked briefly per operation; two slots each, holding the
 *                      token counter and the records of the stripe's held locks; created once, never deleted
 *     released/00..63  rewritten on a release someone waited for, so that watchers get a change event
 * </pre>
 *
 * <p>Nothing is created or deleted per lock: file creation and deletion are the expensive
 * operations of most file systems (journaled metadata), and the unlink-while-another-waits race
 * of per-name lock files cannot happen when there is nothing to unlink. The format of a slot is
 * {@link StripeContent}'s, that of a record {@link LockRecord}'s.
 */
final class Layout {
    /** How many stripe files; which one holds a name is {@link FileKeys#stripeOf}. */
    static final int STRIPES = 64;
    /** The slots per stripe file: a write goes to the one that does not hold the current content. */
    static final int SLOTS = 2;
    /** Room for the records of one stripe: thousands of held locks; unused room is a file-system hole. */
    static final int SLOT_SIZE = 1 << 20;

    static final String LAYOUT_FILE = "layout";
    static final String STRIPES_DIRECTORY = "stripes";
    static final String SIGNALS_DIRECTORY = "released";
    /** The layout file's whole text; a change of any constant above must change its version. */
    static final String LAYOUT = "distlock-file-layout 2 stripes=" + STRIPES + " slot=" + SLOT_SIZE + "\n";

    private Layout() {
    }

    static Path stripesDirectory(Path root) {
        return root.resolve(STRIPES_DIRECTORY);
    }

    static Path signalsDirectory(Path root) {
        return root.resolve(SIGNALS_DIRECTORY);
    }

    /** {@code 00} to {@code 63}: the name of stripe {@code index}'s file in both directories. */
    static String fileName(int index) {
        // Not String.format: a backend names all 128 files at start-up, and parsing the format
        // string each time was 2 % of a command-line run's CPU time.
        return index < 10 ? "0" + index : Integer.toString(index);
    }

    /** The stripe whose file is named {@code fileName}; -1 for any other file. */
    static int stripeOf(String fileName) {
        if (fileName.length() != 2 || !Character.isDigit(fileName.charAt(0)) || !Character.isDigit(fileName.charAt(1))) {
            return -1;
        }
        int stripe = Integer.parseInt(fileName);
        return stripe < STRIPES ? stripe : -1;
    }
}
