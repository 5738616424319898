package io.distlock.file;

import io.distlock.Lock;
import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.LockBackend;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The other process of the file backend's tests. Commands (its arguments), each answering on stdout:
 * <ul>
 *   <li>{@code hold <uri> <leaseMillis> <name>...}: acquires every name and prints
 *       {@code ACQUIRED <name> <token>} for each, then {@code HOLDING}; then on each stdin line
 *       {@code release <name>} releases it and prints {@code RELEASED <name> <true|false>}; exits
 *       at the end of stdin.</li>
 *   <li>{@code try <uri> <name>}: one attempt; prints {@code ACQUIRED <token>}, {@code BUSY} or
 *       {@code FAILED <exception class> <message on one line>}.</li>
 *   <li>{@code describe <uri>}: opens the backend and prints {@code DESCRIBE <describe()>}, or
 *       {@code FAILED <exception class> <message on one line>}.</li>
 *   <li>{@code lock-file <path>}: takes an OS lock on the file, prints {@code LOCKED}, holds it
 *       until the end of stdin (a stand-in for a process stopped while holding a stripe).</li>
 * </ul>
 */
public final class FileLockChild {
    private FileLockChild() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        switch (args[0]) {
            case "hold" -> hold(stdin, args[1], Duration.ofMillis(Long.parseLong(args[2])), args);
            case "try" -> tryOnce(args[1], args[2]);
            case "describe" -> describe(args[1]);
            case "lock-file" -> lockFile(stdin, Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        System.exit(0);
    }

    private static void hold(BufferedReader stdin, String uri, Duration lease, String[] args) throws Exception {
        try (LockManager locks = LockManager.builder(LockBackends.open(uri)).build()) {
            java.util.Map<String, Lock> held = new java.util.HashMap<>();
            for (int i = 3; i < args.length; i++) {
                Lock lock = locks.acquire(args[i], LockOptions.builder().lease(lease).timeout(Duration.ofSeconds(30))
                        .build());
                held.put(args[i], lock);
                say("ACQUIRED " + args[i] + " " + lock.token());
            }
            say("HOLDING");
            String line;
            while ((line = stdin.readLine()) != null) {
                if (line.startsWith("release ")) {
                    String name = line.substring("release ".length());
                    say("RELEASED " + name + " " + held.remove(name).release());
                }
            }
        }
    }

    private static void tryOnce(String uri, String name) {
        try (LockManager locks = LockManager.builder(LockBackends.open(uri)).build()) {
            Optional<Lock> lock = locks.tryAcquire(name);
            say(lock.map(l -> "ACQUIRED " + l.token()).orElse("BUSY"));
        } catch (RuntimeException e) {
            sayFailed(e);
        }
    }

    private static void describe(String uri) {
        try (LockBackend backend = LockBackends.open(uri)) {
            say("DESCRIBE " + backend.describe());
        } catch (RuntimeException e) {
            sayFailed(e);
        }
    }

    private static void lockFile(BufferedReader stdin, Path path) throws Exception {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = channel.lock();
            say("LOCKED");
            while (stdin.readLine() != null) {
                // hold until the parent closes stdin or kills us
            }
            lock.release();
        }
    }

    private static void sayFailed(RuntimeException e) {
        say("FAILED " + e.getClass().getName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
