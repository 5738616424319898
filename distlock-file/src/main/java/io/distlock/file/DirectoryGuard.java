package io.distlock.file;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Makes a namespace directory fit for locks and keeps it so: creates the {@link Layout} owner-only,
 * refuses a layout other processes would read differently, and refuses a directory that another
 * user owns or could replace. Other users of the host must not be able to read or tamper with the
 * locks.
 */
final class DirectoryGuard {
    private static final Logger log = LoggerFactory.getLogger(DirectoryGuard.class);
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    final Path root;
    private final boolean posix;
    private final FileAttribute<?>[] directoryAttributes;
    private final FileAttribute<?>[] fileAttributes;

    DirectoryGuard(Path root) {
        this.root = root;
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        this.directoryAttributes = posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY)}
                : new FileAttribute<?>[0];
        this.fileAttributes = posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_FILE)}
                : new FileAttribute<?>[0];
    }

    /** What every file of the directory is created with: owner-only where the file system knows owners. */
    FileAttribute<?>[] fileAttributes() {
        return fileAttributes;
    }

    /** Creates the layout where it is missing and checks the layout file and the ownership. */
    void prepare() throws IOException {
        createLayout();
        checkOwnership();
    }

    /** Creates what is missing of the layout (again, after someone removed it) and checks the layout file. */
    void createLayout() throws IOException {
        Files.createDirectories(root, directoryAttributes);
        Files.createDirectories(Layout.stripesDirectory(root), directoryAttributes);
        Files.createDirectories(Layout.signalsDirectory(root), directoryAttributes);
        Path layout = root.resolve(Layout.LAYOUT_FILE);
        if (!Files.exists(layout)) {
            Path scratch = Files.createTempFile(root, "layout-", ".tmp", fileAttributes);
            Files.writeString(scratch, Layout.LAYOUT, StandardCharsets.US_ASCII);
            // Racing creators write the same text, so whichever rename lands last is right too.
            Files.move(scratch, layout, StandardCopyOption.ATOMIC_MOVE);
        }
        String found = Files.readString(layout, StandardCharsets.US_ASCII);
        if (!found.equals(Layout.LAYOUT)) {
            throw new IOException(layout + " says '" + found.strip() + "', but this version of distlock needs '"
                    + Layout.LAYOUT.strip() + "'; processes that disagree on the layout would not exclude each other");
        }
    }

    /** True while the layout's directories exist (false after someone wiped the namespace directory). */
    boolean layoutPresent() {
        return Files.isDirectory(Layout.stripesDirectory(root)) && Files.isDirectory(Layout.signalsDirectory(root));
    }

    /**
     * The namespace directory must be ours, nobody else may enter it, and nobody else may replace
     * it: a parent others may write needs the sticky bit.
     */
    private void checkOwnership() throws IOException {
        Path probe = Files.createTempFile(root, "probe-", ".tmp", fileAttributes);
        UserPrincipal me;
        try {
            me = Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
        if (!posix) {
            return;
        }
        Path parent = root.getParent();
        if (parent != null) {
            Set<PosixFilePermission> around = Files.getPosixFilePermissions(parent);
            boolean othersMayWrite = around.contains(PosixFilePermission.GROUP_WRITE)
                    || around.contains(PosixFilePermission.OTHERS_WRITE);
            if (othersMayWrite && !sticky(parent)) {
                throw new IOException(parent + " can be written by other users and has no sticky bit, so they could "
                        + "replace " + root.getFileName() + " in it; use a directory only you can write (or a sticky "
                        + "one such as /tmp)");
            }
        }
        PosixFileAttributes attributes = Files.readAttributes(root, PosixFileAttributes.class);
        if (!attributes.owner().equals(me)) {
            throw new IOException(root + " belongs to " + attributes.owner().getName() + ", not to "
                    + me.getName() + " who runs this process; another user could tamper with its locks. "
                    + "Use a directory of your own");
        }
        if (!attributes.permissions().equals(OWNER_DIRECTORY)) {
            Files.getFileAttributeView(root, PosixFileAttributeView.class).setPermissions(OWNER_DIRECTORY);
            log.info("Restricted {} to its owner (was {})", root, PosixFilePermissions.toString(attributes.permissions()));
        }
    }

    private static boolean sticky(Path directory) {
        try {
            return (((Integer) Files.getAttribute(directory, "unix:mode")) & 01000) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return false;
        }
    }
}
