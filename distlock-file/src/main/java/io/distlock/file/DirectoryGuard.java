package io.distlock.file;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a lock directory fit for locks and keeps it so, because every other local user may be
 * hostile: nobody but this user (or, in group mode, the members of one group) may read, replace
 * or tamper with anything the locks depend on.
 *
 * <ul>
 *   <li><b>The path to it.</b> Every component from {@code /} down is looked at without following
 *       links: each directory must belong to root or to this user, and one that others may write
 *       needs the sticky bit (as {@code /tmp} has), or they could rename what lies in it. A
 *       symbolic link is followed only if root or this user owns it, and the components of its
 *       target are checked the same way. Missing directories are created.</li>
 *   <li><b>The base directory</b> ({@link #base}) is checked as the path to it; in group mode it
 *       must belong to the group, mode {@code 2770} (setgid, nothing for others).</li>
 *   <li><b>The layout inside</b> ({@link Layout}, under {@link #root}) must be real directories and
 *       regular files, never links: owned by this user, {@code 0700} and {@code 0600}; in group
 *       mode owned by the group, {@code 2770} and {@code 0660}. What this user owns with a wider
 *       mode is restricted; anything else is refused.</li>
 *   <li><b>Every file is opened without following links</b> ({@code O_NOFOLLOW}), and its identity
 *       (device and inode) after opening must be the one checked before.</li>
 * </ul>
 * {@link #verify()} runs all of it; {@link StripeLocks} runs it again whenever it reopens a stripe
 * file or recreates the layout, so a directory replaced behind this JVM's back is checked like a
 * new one. A refusal is an {@link UnsafeDirectoryException} naming the path, its owner and mode,
 * and what to do. On a file system without Unix attributes (Windows) nothing is checked.
 */
final class DirectoryGuard {
    private static final Logger log = LoggerFactory.getLogger(DirectoryGuard.class);
    private static final int TYPE = 0170000;
    private static final int TYPE_DIRECTORY = 0040000;
    private static final int TYPE_REGULAR = 0100000;
    private static final int TYPE_LINK = 0120000;
    private static final int STICKY = 01000;
    private static final int SETGID = 02000;
    private static final int GROUP_WRITE = 020;
    private static final int OTHERS_WRITE = 02;
    private static final int PERMISSIONS = 07777;
    private static final int OWNER_DIRECTORY = 0700;
    private static final int OWNER_FILE = 0600;
    private static final int GROUP_DIRECTORY = 02770;
    private static final int GROUP_FILE = 0660;
    /** A directory created on the way to a group's base must let the group's other members through. */
    private static final int PASSAGE_DIRECTORY = 0755;
    private static final int MAX_LINKS = 40;
    private static final String UNIX_ATTRIBUTES = "unix:mode,uid,gid,owner,group,fileKey";

    /** The base directory as given (absolute, normalized), for messages. */
    private final Path given;
    /** The base directory, every symbolic link on the way resolved and checked. */
    final Path base;
    /** The namespace directory inside {@link #base}: the one the {@link Layout} lives in. */
    final Path root;
    /** Null: owner-only. Otherwise the group whose members share the directory. */
    private final @Nullable GroupPrincipal group;
    private final @Nullable String groupName;
    private final boolean defaultDirectory;
    private final boolean unix;
    private final int uid;

    private DirectoryGuard(Path given, Path base, String namespace, @Nullable String groupName, @Nullable GroupPrincipal group,
                           boolean defaultDirectory, boolean unix) {
        this.given = given;
        this.base = base;
        this.root = base.resolve(namespace);
        this.groupName = groupName;
        this.group = group;
        this.defaultDirectory = defaultDirectory;
        this.unix = unix;
        this.uid = unix ? Identity.uid() : -1;
    }

    /**
     * Checks {@code directory} (creating what is missing) and the layout of {@code namespace} in
     * it, and returns the guard that checks them again on every reopen.
     *
     * @param groupName        null for owner-only; otherwise the group sharing the directory
     * @param defaultDirectory whether {@code directory} is {@link FileLockBackend#defaultDirectory()},
     *                         so a refusal can say how to get another one
     * @throws IllegalArgumentException if the group does not exist
     * @throws IOException              if the directory cannot be made, or is refused
     */
    static DirectoryGuard open(Path directory, String namespace, @Nullable String groupName, boolean defaultDirectory)
            throws IOException {
        Path given = directory.toAbsolutePath().normalize();
        FileSystem fileSystem = given.getFileSystem();
        boolean unix = fileSystem.supportedFileAttributeViews().contains("unix");
        GroupPrincipal group = null;
        if (groupName != null) {
            if (!unix) {
                throw new IllegalArgumentException("group '" + groupName + "' needs a file system with Unix "
                        + "owners and groups, which " + given + " is not on");
            }
            try {
                group = fileSystem.getUserPrincipalLookupService().lookupPrincipalByGroupName(groupName);
            } catch (UserPrincipalNotFoundException e) {
                throw new IllegalArgumentException("group '" + groupName + "' does not exist on this host; create "
                        + "it (groupadd " + groupName + ") and add the users who share " + given + " to it", e);
            }
        }
        DirectoryGuard asGiven = new DirectoryGuard(given, given, namespace, groupName, group, defaultDirectory, unix);
        Path base = asGiven.walk();
        DirectoryGuard guard = base.equals(given) ? asGiven
                : new DirectoryGuard(given, base, namespace, groupName, group, defaultDirectory, unix);
        guard.verifyLayout();
        return guard;
    }

    /** The group sharing the directory, or null for owner-only. */
    @Nullable String groupName() {
        return groupName;
    }

    /** True while the layout's directories exist (false after someone wiped the namespace directory). */
    boolean layoutPresent() {
        return Files.isDirectory(Layout.stripesDirectory(root), LinkOption.NOFOLLOW_LINKS)
                && Files.isDirectory(Layout.signalsDirectory(root), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Checks the whole path and layout again, creating what is missing: before any stripe file is
     * (re)opened, since a file replaced behind this JVM's back may mean a directory replaced too.
     */
    void verify() throws IOException {
        Path now = walk();
        if (!now.equals(base)) {
            throw new UnsafeDirectoryException(given + " now leads to " + now + ", not to " + base
                    + " where this process's locks are; a symbolic link on the way was changed. Reopen the backend");
        }
        verifyLayout();
    }

    /**
     * Opens {@code file} of the layout (creating it if {@code options} say so) without following a
     * link, and checks that the file opened is a regular file of the right owner and mode, and the
     * one that was there before the open.
     */
    FileChannel openFile(Path file, Set<? extends OpenOption> options) throws IOException {
        if (!unix) {
            return FileChannel.open(file, options);
        }
        Map<String, Object> before = attributes(file);
        if (before != null) {
            checkInside(file, before, false);
        }
        Set<OpenOption> noFollow = new HashSet<>(options);
        noFollow.add(LinkOption.NOFOLLOW_LINKS);
        FileChannel channel = FileChannel.open(file, noFollow,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Map<String, Object> after = existing(file);
            if (before == null && number(after, "uid") == uid) {
                // Just created: give it the mode (and group) the umask may have withheld, without a log line.
                if (group != null) {
                    setGroup(file);
                }
                setMode(file, group != null ? GROUP_FILE : OWNER_FILE);
                after = existing(file);
            }
            // No file key to compare counts as replaced: the check fails closed.
            Object keyBefore = before == null ? null : before.get("fileKey");
            if (before != null && (keyBefore == null || !keyBefore.equals(after.get("fileKey")))) {
                throw new UnsafeDirectoryException(file + " was replaced while it was being opened; only this "
                        + "user" + (group != null ? " and group " + groupName : "") + " can do that in " + root);
            }
            checkInside(file, after, false);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The identity (device and inode) of {@code file}, not following a link; null if it is gone. */
    static @Nullable Object fileKey(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- the path to the base directory

    /** Walks from {@code /} to {@link #given}, creating and checking each directory; returns the checked real path. */
    private Path walk() throws IOException {
        if (!unix) {
            Files.createDirectories(given);
            return given.toRealPath();
        }
        List<String> names = names(given);
        Path current = given.getRoot();
        checkAncestor(current, existing(current));
        int links = 0;
        for (int i = 0; i < names.size(); i++) {
            Path next = current.resolve(names.get(i));
            boolean last = i == names.size() - 1;
            Map<String, Object> found = attributes(next);
            if (found == null) {
                found = createOnTheWay(next, last);
            }
            int mode = number(found, "mode");
            if ((mode & TYPE) == TYPE_LINK) {
                if (++links > MAX_LINKS) {
                    throw new UnsafeDirectoryException(given + ": more than " + MAX_LINKS + " symbolic links on the way");
                }
                int owner = number(found, "uid");
                if (owner != 0 && owner != uid) {
                    throw refused(next, found, next.equals(given) && defaultDirectory ? takenDefault(next)
                            : "is a symbolic link that another user owns, so it may lead anywhere he likes; only "
                            + "links of root or of this user are followed");
                }
                Path target = current.resolve(Files.readSymbolicLink(next)).normalize();
                List<String> rest = new ArrayList<>(names(target));
                rest.addAll(names.subList(i + 1, names.size()));
                names = rest;
                current = target.getRoot();
                i = -1;
                continue;
            }
            if ((mode & TYPE) != TYPE_DIRECTORY) {
                throw new UnsafeDirectoryException(next + " is not a directory");
            }
            if (last && group != null) {
                checkGroupBase(next, found);
            } else {
                checkAncestor(next, found);
            }
            current = next;
        }
        return current;
    }

    private Map<String, Object> createOnTheWay(Path directory, boolean base) throws IOException {
        try {
            Files.createDirectory(directory);
        } catch (FileAlreadyExistsException e) {
            // Someone made it meanwhile; it is checked like any directory found there.
            return existing(directory);
        }
        if (group == null) {
            setMode(directory, OWNER_DIRECTORY);
        } else if (base) {
            setGroup(directory);
            setMode(directory, GROUP_DIRECTORY);
        } else {
            setMode(directory, PASSAGE_DIRECTORY);
        }
        return existing(directory);
    }

    /** A directory on the way (or the owner-only base): root's or ours, and nobody else may rename in it. */
    private void checkAncestor(Path directory, Map<String, Object> found) throws IOException {
        int owner = number(found, "uid");
        int mode = number(found, "mode");
        if (owner != 0 && owner != uid) {
            throw refused(directory, found, directory.equals(given) && defaultDirectory ? takenDefault(directory)
                    : "belongs to another user, who could replace what lies in it and so take over the locks; "
                    + "use a directory on a path that only root and you own");
        }
        boolean othersWrite = (mode & OTHERS_WRITE) != 0
                || (mode & GROUP_WRITE) != 0 && !(group != null && group.equals(found.get("group")));
        if (othersWrite && (mode & STICKY) == 0) {
            boolean groupDirectory = group == null && (mode & SETGID) != 0 && (mode & OTHERS_WRITE) == 0;
            throw refused(directory, found, "can be written by other users and has no sticky bit, so they could "
                    + "replace what lies in it and take over the locks; " + (groupDirectory
                    ? "if it is a group directory for sharing locks, open it with ?group=" + found.get("group")
                    + " (FileLockBackend.Builder.group)" : "chmod go-w it, or use another directory (a sticky one "
                    + "such as /tmp is fine)"));
        }
    }

    private String takenDefault(Path directory) {
        return "is the default lock directory of uid " + uid + ", but another user created it, possibly to read or "
                + "take over this user's locks. Have it removed (as root: rm -r " + directory + "), or use a "
                + "directory of your own: FileLockBackend.builder().directory(...), or file:/some/dir (e.g. "
                + "--backend file:$HOME/.distlock/locks)";
    }

    private void checkGroupBase(Path directory, Map<String, Object> found) throws IOException {
        int mode = number(found, "mode");
        if (group != null && group.equals(found.get("group")) && (mode & PERMISSIONS) == GROUP_DIRECTORY) {
            return;
        }
        throw refused(directory, found, "is not set up for group " + groupName + ": it must belong to that group with "
                + "mode 2770 (setgid, nothing for others). As its owner or root: chgrp " + groupName + " "
                + directory + " && chmod 2770 " + directory);
    }

    // ---------------------------------------------------------------- the layout

    private void verifyLayout() throws IOException {
        if (!unix) {
            Files.createDirectories(Layout.stripesDirectory(root));
            Files.createDirectories(Layout.signalsDirectory(root));
        } else {
            layoutDirectory(root);
            layoutDirectory(Layout.stripesDirectory(root));
            layoutDirectory(Layout.signalsDirectory(root));
        }
        Path layout = root.resolve(Layout.LAYOUT_FILE);
        if (!Files.exists(layout, LinkOption.NOFOLLOW_LINKS)) {
            Path scratch = Files.createTempFile(root, "layout-", ".tmp");
            if (unix) {
                setMode(scratch, group != null ? GROUP_FILE : OWNER_FILE);
            }
            Files.writeString(scratch, Layout.LAYOUT, StandardCharsets.US_ASCII);
            // A link, not a rename: a rename would replace the file a racing process has just
            // checked and is opening, which openFile rightly takes for tampering. The first link
            // wins; the others find it there and check it like any existing layout.
            try {
                Files.createLink(layout, scratch);
            } catch (FileAlreadyExistsException madeMeanwhile) {
                // checked below
            } finally {
                Files.deleteIfExists(scratch);
            }
        }
        String found;
        try (FileChannel channel = openFile(layout, Set.of(StandardOpenOption.READ))) {
            ByteBuffer bytes = ByteBuffer.allocate(256);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // read it all (it is a few dozen bytes)
            }
            found = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII);
        }
        if (!found.equals(Layout.LAYOUT)) {
            throw new IOException(layout + " says '" + found.strip() + "', but this version of distlock needs '"
                    + Layout.LAYOUT.strip() + "'; processes that disagree on the layout would not exclude each other");
        }
    }

    private void layoutDirectory(Path directory) throws IOException {
        Map<String, Object> found = attributes(directory);
        if (found == null) {
            try {
                Files.createDirectory(directory);
                if (group != null) {
                    setGroup(directory);
                }
                setMode(directory, group != null ? GROUP_DIRECTORY : OWNER_DIRECTORY);
            } catch (FileAlreadyExistsException e) {
                // made meanwhile by another process: checked below
            }
            found = existing(directory);
        }
        checkInside(directory, found, true);
    }

    /** An entry of the layout: the right type, owner and mode; ours with a wrong mode is put right. */
    private void checkInside(Path path, Map<String, Object> found, boolean directory) throws IOException {
        int mode = number(found, "mode");
        int type = mode & TYPE;
        if (type != (directory ? TYPE_DIRECTORY : TYPE_REGULAR)) {
            throw refused(path, found, (type == TYPE_LINK ? "is a symbolic link" : "is not a "
                    + (directory ? "directory" : "regular file")) + ", which nothing in a lock directory is: "
                    + "someone put it there. Remove it (the locks recorded in " + root + " are lost) or use "
                    + "another directory");
        }
        int owner = number(found, "uid");
        int wanted = group != null ? (directory ? GROUP_DIRECTORY : GROUP_FILE)
                : (directory ? OWNER_DIRECTORY : OWNER_FILE);
        if (group == null) {
            if (owner != uid) {
                throw refused(path, found, "belongs to another user, who could read and tamper with the locks in "
                        + "it; use a directory of your own" + (owner != 0 ? "" : " (root made it: run as root, or "
                        + "have it removed)") + ", or, to share locks with other users on purpose, a group "
                        + "directory (file:/dir?group=name)");
            }
            if ((mode & PERMISSIONS) == wanted) {
                return;
            }
            if ((mode & SETGID) != 0 && directory) {
                throw refused(path, found, "looks like a group directory (setgid); to share its locks open it "
                        + "with ?group=" + found.get("group") + ", or chmod 700 it to make it yours alone");
            }
            setMode(path, wanted);
            log.info("Restricted {} to its owner (was {})", path, modeText(mode));
            return;
        }
        if (group.equals(found.get("group")) && (mode & PERMISSIONS) == wanted) {
            return;
        }
        if (owner == uid) {
            setGroup(path);
            setMode(path, wanted);
            log.info("Gave {} to group {} with mode {} (was group {}, mode {})", path, groupName,
                    Integer.toOctalString(wanted), found.get("group"), modeText(mode));
            return;
        }
        throw refused(path, found, "should belong to group " + groupName + " with mode "
                + Integer.toOctalString(wanted) + "; as its owner or root: chgrp " + groupName + " " + path
                + " && chmod " + Integer.toOctalString(wanted) + " " + path);
    }

    // ---------------------------------------------------------------- helpers

    private static @Nullable Map<String, Object> attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The attributes of what must be there now (it was just found or created). */
    private static Map<String, Object> existing(Path path) throws IOException {
        Map<String, Object> found = attributes(path);
        if (found == null) {
            throw new NoSuchFileException(path.toString(), null, "removed while it was being opened or created");
        }
        return found;
    }

    private static void setMode(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }

    private void setGroup(Path path) throws IOException {
        try {
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
        } catch (FileSystemException e) {
            throw new UnsafeDirectoryException("cannot give " + path + " to group " + groupName + " (" + e.getReason()
                    + "): is uid " + uid + " a member of it? (id shows a user's groups; a new member must log in "
                    + "again)");
        }
    }

    private UnsafeDirectoryException refused(Path path, Map<String, Object> found, String why) {
        return new UnsafeDirectoryException(path + " (owner " + found.get("owner") + " uid " + found.get("uid")
                + ", group " + found.get("group") + ", mode " + modeText(number(found, "mode"))
                + ") " + why + ". This process runs as uid " + uid + ".");
    }

    /** {@code 1777 rwxrwxrwt}: the octal mode and how {@code ls} shows it. */
    static String modeText(int mode) {
        String text = rwx(mode);
        if ((mode & STICKY) != 0) {
            text = text.substring(0, 8) + (text.charAt(8) == 'x' ? 't' : 'T');
        }
        if ((mode & SETGID) != 0) {
            text = text.substring(0, 5) + (text.charAt(5) == 'x' ? 's' : 'S') + text.substring(6);
        }
        return String.format("%04o %s", mode & PERMISSIONS, text);
    }

    private static String rwx(int mode) {
        StringBuilder text = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            text.append((mode >> shift & 4) != 0 ? 'r' : '-').append((mode >> shift & 2) != 0 ? 'w' : '-')
                    .append((mode >> shift & 1) != 0 ? 'x' : '-');
        }
        return text.toString();
    }

    /** A number the unix attribute view always gives (mode, uid). */
    private static int number(Map<String, Object> attributes, String name) {
        Object value = attributes.get(name);
        if (value == null) {
            throw new IllegalStateException("the unix attribute view gave no " + name);
        }
        return (Integer) value;
    }

    private static List<String> names(Path path) {
        List<String> names = new ArrayList<>();
        for (Path name : path) {
            names.add(name.toString());
        }
        return names;
    }

    /** A lock directory refused because another user could read or tamper with the locks in it. */
    static final class UnsafeDirectoryException extends IOException {
        UnsafeDirectoryException(String message) {
            super(message);
        }
    }
}
