package io.distlock.faults;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.LockException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.LockBackend;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * One client process of a fault run:
 * {@code WorkloadClient <backend-uri> <lock-name> <run-dir> <client-id> <lease-ms> <wait-ms> <work-ms> <retry-ms>
 * <fenced-row-jdbc-url> <fenced-row-id> <auto-renew true|false>}.
 * It opens the backend, prints {@code READY}, starts on a {@code GO} line on standard input and
 * loops acquire, guarded work, release until a {@code STOP} line (or the end of its input), then
 * prints {@code DONE}. Every step is a line of {@code client-<id>.history} in the run directory
 * (format in {@link History}); each line is one write system call, so a SIGKILL leaves every line
 * written before it.
 *
 * <p>The guarded work is deliberately naive: it never checks {@code isHeld()} before writing (a
 * pause can land between any check and the write anyway), it only records what {@code isHeld()}
 * said, so the checker can tell a holder that knew its lease was gone from one that did not.
 *
 * <p>With auto-renewal the engine extends the lease while the section runs, and a lock it finds
 * lost is recorded as {@code LOST} by the lock's {@link io.distlock.LockLostListener}.
 */
public final class WorkloadClient {
    private WorkloadClient() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String name = args[1];
        Path run = Path.of(args[2]);
        String id = args[3];
        boolean autoRenew = Boolean.parseBoolean(args[10]);
        Map<Lock, Long> opOf = new ConcurrentHashMap<>();
        History.Writer[] writer = {null};
        LockOptions.Builder builder = LockOptions.builder()
                .lease(Duration.ofMillis(Long.parseLong(args[4])))
                .timeout(Duration.ofMillis(Long.parseLong(args[5])))
                .retryInterval(Duration.ofMillis(Long.parseLong(args[7])))
                .autoRenew(autoRenew);
        if (autoRenew) {
            builder.onLost((lock, cause) -> {
                Long op = opOf.get(lock);
                try {
                    if (op != null) {
                        writer[0].event("LOST", op, cause.getClass().getSimpleName());
                    }
                } catch (IOException e) {
                    System.err.println("could not record a lost lock: " + e);
                }
            });
        }
        LockOptions options = builder.build();
        long workNanos = Duration.ofMillis(Long.parseLong(args[6])).toNanos();
        long pauseAfterFailure = Duration.ofMillis(Long.parseLong(args[7])).toNanos();
        GuardedResources.LockSet unfenced = new GuardedResources.LockSet(run.resolve("unfenced.set"));
        GuardedResources.FencedRegister fenced = new GuardedResources.FencedRegister(run.resolve("fenced"));
        String rowUrl = args[8];
        String rowId = args[9];
        CountDownLatch go = new CountDownLatch(1);
        boolean[] stop = {false};
        Thread input = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.equals("STOP")) {
                    if (line.equals("GO")) {
                        go.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the parent is gone: stop as at STOP
            }
            synchronized (stop) {
                stop[0] = true;
            }
            go.countDown();
        }, "stdin");
        input.setDaemon(true);
        try (History.Writer history = new History.Writer(run.resolve("client-" + id + ".history"), id);
             GuardedResources.FencedRow row = new GuardedResources.FencedRow(rowUrl, rowId);
             LockManager locks = LockManager.builder(open(uri)).build()) {
            writer[0] = history;
            System.out.println("READY");
            System.out.flush();
            input.start();
            go.await();
            for (long op = 1; !stopped(stop); op++) {
                history.event("INVOKE", op, "");
                Lock lock;
                try {
                    lock = locks.acquire(name, options);
                } catch (LockException e) {
                    history.event("FAIL", op, e.getClass().getSimpleName());
                    // Pacing, not synchronization: a backend that fails at once must not spin the CPU.
                    LockSupport.parkNanos(pauseAfterFailure);
                    continue;
                }
                String element = id + "-" + op;
                opOf.put(lock, op);
                history.held("ACQ", op, lock, Long.toString(lock.token()));
                Set<String> seen = unfenced.read();
                Set<String> fencedSeen = fenced.read(lock.token());
                Set<String> rowSeen = row.read(lock.token());
                history.held("READ", op, lock, (fencedSeen == null ? "refused" : "ok") + " " + (rowSeen == null ? "refused" : "ok"));
                // The work the lock protects, and the window a pause or a second holder falls into.
                LockSupport.parkNanos(workNanos);
                seen.add(element);
                unfenced.write(seen, id);
                history.held("UW", op, lock, element);
                String outcome = "skipped";
                if (fencedSeen != null) {
                    fencedSeen.add(element);
                    outcome = fenced.write(lock.token(), fencedSeen, id) ? "ok" : "refused";
                }
                history.held("FW", op, lock, element + " " + outcome);
                String rowOutcome = "skipped";
                if (rowSeen != null) {
                    rowSeen.add(element);
                    rowOutcome = row.write(lock.token(), rowSeen) ? "ok" : "refused";
                }
                history.held("RW", op, lock, element + " " + rowOutcome);
                history.held("EXIT", op, lock, "");
                String released;
                try {
                    released = Boolean.toString(lock.release());
                } catch (RuntimeException e) {
                    released = "false " + e.getClass().getSimpleName();
                }
                history.event("REL", op, released);
                opOf.remove(lock);
            }
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    /**
     * Opens the backend, trying again for up to two minutes: on a loaded 2-core machine three JVMs
     * starting at once have missed even a 10 s connect timeout to a local Redis, and a client's
     * start-up is not the fault under test (each failed attempt goes to stderr).
     */
    private static LockBackend open(String uri) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                return LockBackends.open(uri);
            } catch (LockBackendException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                System.err.println("opening the backend failed, trying again: " + e);
            }
        }
    }

    private static boolean stopped(boolean[] stop) {
        synchronized (stop) {
            return stop[0];
        }
    }

}
