package io.distlock.faults;

import io.distlock.testkit.ChildJvm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One run: N {@link WorkloadClient} processes on one backend, one kind of fault injected a bounded
 * number of times while they work, then the {@link Checker} over their histories.
 *
 * <p>The injector never sleeps to synchronize: it polls the clients' history files for the state it
 * needs (a client inside its section, past its reads; another client's section after a pause) with
 * a deadline. The one wait on the clock is a server paused for one and a half leases, which is the
 * fault itself.
 */
final class WorkloadRunner {
    static final String LOCK_NAME = "fault-suite";
    private static final Duration START_PATIENCE = Duration.ofSeconds(180);

    /**
     * How a run is shaped. {@code patience} bounds every wait of the injector for a state, and the
     * wait for {@code settleAcquisitions} after each injection is healed: a backend that does not
     * give that many within it has not recovered. {@code autoRenew}: the clients' locks are renewed
     * by the engine (else each section has its fixed lease).
     */
    record Settings(int clients, Duration lease, Duration acquireWait, Duration work, Duration retry,
                    int injections, int warmupAcquisitions, int settleAcquisitions, Duration patience,
                    boolean autoRenew) {
    }

    /** One injection: when (nanoTime), at whom, and whether it hit what it aimed at. */
    record Injection(Fault fault, long at, long healedAt, String target, boolean effective, String note) {
    }

    /** {@code problems}: what the runner saw that fails the run whatever the backend promises (no recovery). */
    record Result(String backend, Fault fault, Settings settings, Checker.Findings findings,
                  List<Injection> injections, Path directory, List<String> problems) {
        long effectiveInjections() {
            return injections.stream().filter(Injection::effective).count();
        }
    }

    private final BackendAdapter adapter;
    private final Fault fault;
    private final Settings settings;
    private final Path directory;
    private final String rowUrl;
    private final List<Client> clients = new ArrayList<>();
    private final List<Injection> injections = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    /** The pids of the clients the injector killed: every other client must end with exit code 0. */
    private final Set<Long> plannedKills = new java.util.HashSet<>();
    private long lastDeathCheck = System.nanoTime() - 1_000_000_000L;
    private TcpProxy proxy;
    private int nextClient;

    private WorkloadRunner(BackendAdapter adapter, Fault fault, Settings settings, Path directory, String rowUrl) {
        this.rowUrl = rowUrl;
        this.adapter = adapter;
        this.fault = fault;
        this.settings = settings;
        this.directory = directory;
    }

    /** A run with a database of its own for the fenced row. */
    static Result run(BackendAdapter adapter, Fault fault, Settings settings, Path directory) throws Exception {
        try (GuardedResources.RowDatabase rows = new GuardedResources.RowDatabase()) {
            return run(adapter, fault, settings, directory, rows);
        }
    }

    /** A run whose fenced row is a new row in {@code rows}, named after the run directory. */
    static Result run(BackendAdapter adapter, Fault fault, Settings settings, Path directory,
                      GuardedResources.RowDatabase rows) throws Exception {
        if (!adapter.faults().contains(fault)) {
            throw new IllegalArgumentException(adapter.name() + " does not support fault " + fault);
        }
        Files.createDirectories(directory);
        GuardedResources.FencedRow.create(rows.url(), directory.toString());
        return new WorkloadRunner(adapter, fault, settings, directory, rows.url()).run();
    }

    private Result run() throws Exception {
        try {
            if (fault.needsProxy) {
                proxy = new TcpProxy(adapter.serverAddress());
            }
            List<Client> starting = new ArrayList<>();
            for (int i = 0; i < settings.clients(); i++) {
                starting.add(launch(i == 0 && proxy != null));
            }
            for (Client client : starting) {
                client.awaitReady();
            }
            for (Client client : starting) {
                client.go();
            }
            if (!awaitAcquisitions(settings.warmupAcquisitions(), 0, START_PATIENCE)) {
                throw new AssertionError("fewer than " + settings.warmupAcquisitions() + " acquisitions within "
                        + START_PATIENCE + " of the start: " + adapter.name() + " never served");
            }
            for (int i = 0; i < settings.injections(); i++) {
                Injection injection = inject();
                injections.add(injection);
                long healed = Math.max(injection.healedAt(), injection.at());
                if (!awaitAcquisitions(settings.settleAcquisitions(), healed, settings.patience())) {
                    problems.add("injection " + (i + 1) + " (" + injection + "): only " + acquisitionsAfter(healed)
                            + " of " + settings.settleAcquisitions() + " acquisitions within " + settings.patience()
                            + " after it was healed: the backend did not recover");
                    break;
                }
            }
            for (Client client : clients) {
                client.stop();
            }
            for (Client client : clients) {
                client.awaitExit(plannedKills);
            }
        } finally {
            for (Client client : clients) {
                client.close();
            }
            if (proxy != null) {
                proxy.close();
            }
        }
        List<History.Op> ops = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".history")).sorted().toList()) {
                ops.addAll(History.read(file));
            }
        }
        Set<String> unfenced = new GuardedResources.LockSet(directory.resolve("unfenced.set")).read();
        Set<String> fenced = new GuardedResources.FencedRegister(directory.resolve("fenced")).elements();
        Set<String> row = GuardedResources.FencedRow.elements(rowUrl, directory.toString());
        String backend = adapter.name() + (settings.autoRenew() ? ", auto-renewed" : "");
        return new Result(backend, fault, settings, Checker.check(ops, unfenced, fenced, row, context()),
                List.copyOf(injections), directory, List.copyOf(problems));
    }

    /**
     * What can explain a failed release: each injection from its start until a lease after it was
     * healed, on the client it hit (a holder paused or killed, the proxied client) or on every client
     * (a server fault).
     */
    private Checker.Context context() {
        List<Checker.Window> windows = new ArrayList<>();
        if (fault != Fault.NONE) {
            for (Injection injection : injections) {
                boolean oneClient = clients.stream().anyMatch(c -> c.id.equals(injection.target()));
                windows.add(new Checker.Window(injection.at(), Math.max(injection.at(), injection.healedAt())
                        + settings.lease().toNanos(), oneClient ? injection.target() : null));
            }
        }
        return new Checker.Context(settings.lease().toNanos(), windows);
    }

    // ------------------------------------------------------------------ faults

    private Injection inject() throws Exception {
        return switch (fault) {
            case NONE -> new Injection(fault, System.nanoTime(), System.nanoTime(), "-", true, "");
            case KILL_HOLDER -> killHolder();
            case PAUSE_HOLDER -> pauseHolder();
            case SERVER_RESTART -> serverRestart();
            case SERVER_PAUSE -> serverPause();
            case CONNECTION_CUT, CONNECTION_STALL -> connection();
            case FAILOVER, FAILOVER_PAUSED -> failover();
            case FAILOVER_UNREPLICATED -> unreplicatedFailover();
        };
    }

    private Injection killHolder() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            Client holder = awaitClient("a client inside its section", c -> "READ".equals(c.lastKind));
            if (holder == null) {
                break;
            }
            // Stopped first, so the kill lands where the history says it is, however late this thread runs.
            Signals.send(holder.jvm.pid(), "STOP");
            long at = System.nanoTime();
            poll(settings.patience(), () -> Signals.stopped(holder.jvm.pid()));
            holder.poll();
            if (!holder.inSection()) {
                Signals.send(holder.jvm.pid(), "CONT");
                continue;
            }
            plannedKills.add(holder.jvm.pid());
            holder.jvm.kill();
            if (clients.stream().filter(Client::alive).count() < 2) {
                // Contention needs two clients; a JVM start is seconds on a loaded machine, so only then.
                Client replacement = launch(false);
                replacement.awaitReady();
                replacement.go();
            }
            return new Injection(fault, at, System.nanoTime(), holder.id, true, "killed after " + holder.lastKind);
        }
        return new Injection(fault, System.nanoTime(), System.nanoTime(), "-", false, "never caught a client inside its section");
    }

    private Injection pauseHolder() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            Client holder = awaitClient("a client between its reads and its writes", c -> "READ".equals(c.lastKind));
            if (holder == null) {
                break;
            }
            Signals.send(holder.jvm.pid(), "STOP");
            long at = System.nanoTime();
            // A write under way when the signal came completes first: read the history once every
            // thread has stopped.
            poll(settings.patience(), () -> Signals.stopped(holder.jvm.pid()));
            holder.poll();
            if (!"READ".equals(holder.lastKind)) {
                // It moved on before the signal landed: let it go and aim again.
                Signals.send(holder.jvm.pid(), "CONT");
                continue;
            }
            holder.paused = true;
            // Resume once the lease has certainly run out (another client finished a section since),
            // and preferably while a third section is under way, so a late release meets a holder.
            boolean expired = poll(settings.patience(), () -> others(holder).anyMatch(c -> c.lastExit > at)
                    && others(holder).anyMatch(c -> "ACQ".equals(c.lastKind) || "READ".equals(c.lastKind)));
            // Effective only if another client took the lock over while this one was stopped.
            boolean tookOver = others(holder).anyMatch(c -> c.lastAcquired > at);
            Signals.send(holder.jvm.pid(), "CONT");
            holder.paused = false;
            return new Injection(fault, at, System.nanoTime(), holder.id, tookOver,
                    (tookOver ? "another client took the lock over meanwhile" : "no other client took the lock meanwhile")
                            + (expired ? "" : "; resumed without another finished section within " + settings.patience()));
        }
        return new Injection(fault, System.nanoTime(), System.nanoTime(), "-", false, "never caught a client between reads and writes");
    }

    /**
     * The server killed while a client is inside its section. A section lasts milliseconds and a
     * kill can take longer (PostgreSQL: every process of the server), so the holder is held still
     * (SIGSTOP, checked as for a paused holder) until the server is dead, then resumed before the
     * server starts again: the crash lands inside its section, and it meets the dead server as a
     * running client would.
     */
    private Injection serverRestart() {
        Client holder = null;
        for (int attempt = 0; attempt < 50 && holder == null; attempt++) {
            Client candidate = awaitClient("a client inside its section", Client::inSection);
            if (candidate == null) {
                break;
            }
            Signals.send(candidate.jvm.pid(), "STOP");
            poll(settings.patience(), () -> Signals.stopped(candidate.jvm.pid()));
            candidate.poll();
            if (candidate.inSection()) {
                holder = candidate;
            } else {
                Signals.send(candidate.jvm.pid(), "CONT");
            }
        }
        long at = System.nanoTime();
        try {
            adapter.killServer();
        } finally {
            if (holder != null) {
                Signals.send(holder.jvm.pid(), "CONT");
            }
        }
        adapter.startServer();
        return new Injection(fault, at, System.nanoTime(), "server", holder != null,
                holder == null ? "no holder at the time" : "client " + holder.id + " held (stopped across the kill)");
    }

    private Injection serverPause() {
        Client holder = awaitClient("a client inside its section", Client::inSection);
        adapter.pauseServer();
        long at = System.nanoTime();
        try {
            // The fault is the pause itself: one and a half leases, on the clock.
            long until = at + settings.lease().toNanos() * 3 / 2;
            while (System.nanoTime() - until < 0) {
                LockSupport.parkNanos(Math.max(1, Math.min(10_000_000L, until - System.nanoTime())));
            }
        } finally {
            adapter.resumeServer();
        }
        return new Injection(fault, at, System.nanoTime(), "server", holder != null,
                holder == null ? "no holder at the time" : "client " + holder.id + " held");
    }

    private Injection failover() {
        Client holder = awaitClient("a client inside its section", Client::inSection);
        long at = System.nanoTime();
        String note = adapter.failOver(fault == Fault.FAILOVER_PAUSED, settings.patience());
        return new Injection(fault, at, System.nanoTime(), "primary", holder != null,
                (holder == null ? "no holder at the time" : "client " + holder.id + " held") + "; " + note);
    }

    /**
     * Replication held back, then the primary killed while a client holds a lock it asked for
     * since (its acquire was invoked after the hold, so neither the lock nor its token reached the
     * replica), then the replica promoted.
     */
    private Injection unreplicatedFailover() {
        adapter.holdReplication(settings.patience());
        long held = System.nanoTime();
        Client holder = awaitClient("a client inside a section it asked for after replication stopped",
                c -> c.inSection() && c.lastAcquiredInvokedAt > held);
        long lag = adapter.replicationLag();
        long at = System.nanoTime();
        String note = adapter.failOver(false, settings.patience());
        return new Injection(fault, at, System.nanoTime(), "primary", holder != null && lag > 0,
                (holder == null ? "no client acquired after replication stopped" : "client " + holder.id + " held")
                        + "; the replica was " + lag + " bytes behind; " + note);
    }

    private Injection connection() {
        Client proxied = clients.stream().filter(c -> c.proxied && c.alive()).findFirst().orElseThrow();
        boolean inside = poll(settings.patience(), () -> {
            proxied.poll();
            return proxied.inSection();
        });
        if (fault == Fault.CONNECTION_CUT) {
            proxy.cut();
        } else {
            proxy.stall();
        }
        long at = System.nanoTime();
        boolean overtaken = poll(settings.patience(), () -> others(proxied).anyMatch(c -> c.lastAcquired > at));
        proxy.heal();
        long healed = System.nanoTime();
        boolean recovered = poll(settings.patience(), () -> {
            proxied.poll();
            return proxied.lastAcquired > healed;
        });
        return new Injection(fault, at, healed, proxied.id, inside,
                (overtaken ? "another client took the lock meanwhile" : "no other client got the lock meanwhile")
                        + (recovered ? "; the client acquired again after" : "; the client did not acquire again within "
                        + settings.patience()));
    }

    // ------------------------------------------------------------------ clients

    private Client launch(boolean proxied) throws IOException {
        String id = Integer.toString(nextClient++);
        String uri = adapter.clientUri(directory, proxied ? proxy.address() : null);
        long before = System.nanoTime();
        ChildJvm jvm = ChildJvm.start(WorkloadClient.class, directory.resolve("client-" + id + ".log"),
                uri, LOCK_NAME, directory.toString(), id, Long.toString(settings.lease().toMillis()),
                Long.toString(settings.acquireWait().toMillis()), Long.toString(settings.work().toMillis()),
                Long.toString(settings.retry().toMillis()), rowUrl, directory.toString(),
                Boolean.toString(settings.autoRenew()));
        Client client = new Client(id, jvm, directory.resolve("client-" + id + ".history"), proxied, before);
        clients.add(client);
        return client;
    }

    private java.util.stream.Stream<Client> others(Client one) {
        return clients.stream().filter(c -> c != one).peek(Client::poll);
    }

    private Client awaitClient(String what, java.util.function.Predicate<Client> wanted) {
        Client[] found = {null};
        poll(settings.patience(), () -> {
            requireNoUnplannedDeath();
            for (Client client : clients) {
                if (client.alive()) {
                    client.poll();
                    if (wanted.test(client)) {
                        found[0] = client;
                        return true;
                    }
                }
            }
            return false;
        });
        return found[0];
    }

    /** Whether {@code count} acquisitions came after {@code since} within {@code within}. */
    private boolean awaitAcquisitions(int count, long since, Duration within) {
        return poll(within, () -> {
            requireNoUnplannedDeath();
            return acquisitionsAfter(since) >= count;
        });
    }

    private long acquisitionsAfter(long since) {
        return clients.stream().peek(Client::poll).mapToLong(c -> c.acquisitionsAfter(since)).sum();
    }

    /**
     * A client that ended without being killed by the injector or told to stop fails the run, with
     * its stderr. Looked at every 50 ms, not at every poll: each look reads /proc for every client.
     */
    private void requireNoUnplannedDeath() {
        long now = System.nanoTime();
        if (now - lastDeathCheck < 50_000_000L) {
            return;
        }
        lastDeathCheck = now;
        for (Client client : clients) {
            if (!client.stopped && !plannedKills.contains(client.jvm.pid()) && !client.alive()) {
                client.stopped = true;
                throw new AssertionError("client " + client.id + " (pid " + client.jvm.pid() + ") died unplanned, "
                        + client.exitDescription() + "; stderr:\n" + client.jvm.stderr());
            }
        }
    }

    /** Polls {@code condition} every millisecond until it holds (true) or {@code within} passed (false). */
    static boolean poll(Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return true;
    }

    /** A client process and what its history file has said so far. */
    private static final class Client implements AutoCloseable {
        final String id;
        final ChildJvm jvm;
        final Path history;
        final boolean proxied;
        final long launchedAt;
        long position;
        String lastKind = "";
        long lastAcquired = -1;
        long lastInvoked = -1;
        /** When the acquisition that succeeded last was asked for. */
        long lastAcquiredInvokedAt = -1;
        long lastExit = -1;
        final List<Long> acquisitions = new ArrayList<>();
        boolean paused;
        boolean stopped;

        Client(String id, ChildJvm jvm, Path history, boolean proxied, long launchedAt) {
            this.id = id;
            this.jvm = jvm;
            this.history = history;
            this.proxied = proxied;
            this.launchedAt = launchedAt;
        }

        void awaitReady() throws InterruptedException, IOException {
            jvm.await("READY", START_PATIENCE);
            long ready = System.nanoTime();
            // The premise of comparing times across processes: the child's nanoTime at start lies
            // between the parent's before the launch and after READY (one CLOCK_MONOTONIC).
            String header = Files.readAllLines(history, StandardCharsets.UTF_8).get(0);
            long childStart = Long.parseLong(header.substring(header.lastIndexOf(' ') + 1));
            if (childStart < launchedAt || childStart > ready) {
                throw new AssertionError("client " + id + " started at nanoTime " + childStart + ", outside the parent's "
                        + launchedAt + ".." + ready + ": System.nanoTime() is not one clock across processes here");
            }
        }

        void go() throws IOException {
            jvm.send("GO");
        }

        boolean alive() {
            return jvm != null && !stopped && ProcessHandle.of(jvm.pid()).map(ProcessHandle::isAlive).orElse(false);
        }

        boolean inSection() {
            return switch (lastKind) {
                case "ACQ", "READ", "UW", "FW", "RW" -> true;
                default -> false;
            };
        }

        long acquisitionsAfter(long since) {
            return acquisitions.stream().filter(t -> t > since).count();
        }

        /** Reads the lines appended since the last poll (complete lines only). */
        void poll() {
            try (RandomAccessFile file = new RandomAccessFile(history.toFile(), "r")) {
                long length = file.length();
                if (length <= position) {
                    return;
                }
                byte[] bytes = new byte[(int) (length - position)];
                file.seek(position);
                file.readFully(bytes);
                int end = lastNewline(bytes);
                if (end < 0) {
                    return;
                }
                position += end + 1;
                for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                    String[] parts = line.split(" ", 5);
                    if (line.startsWith("#") || parts.length < 4) {
                        continue;
                    }
                    lastKind = parts[0];
                    long time = Long.parseLong(parts[2]);
                    if (lastKind.equals("INVOKE")) {
                        lastInvoked = time;
                    } else if (lastKind.equals("ACQ")) {
                        lastAcquired = time;
                        lastAcquiredInvokedAt = lastInvoked;
                        acquisitions.add(time);
                    } else if (lastKind.equals("EXIT")) {
                        lastExit = time;
                    }
                }
            } catch (java.io.FileNotFoundException notYet) {
                // the client has not opened its history yet
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static int lastNewline(byte[] bytes) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        void stop() {
            if (alive()) {
                try {
                    jvm.send("STOP");
                } catch (IOException gone) {
                    // it ended meanwhile
                }
            }
        }

        /**
         * Waits for the exit after STOP of every client the injector did not kill, alive or not:
         * one that died of an exception earlier has a non-zero exit code too.
         */
        void awaitExit(Set<Long> plannedKills) throws InterruptedException {
            if (!plannedKills.contains(jvm.pid())) {
                int exit = jvm.awaitExit(START_PATIENCE);
                if (exit != 0) {
                    throw new AssertionError("client " + id + " (pid " + jvm.pid() + ") exited with " + exit
                            + "; stderr:\n" + jvm.stderr());
                }
            }
            stopped = true;
        }

        String exitDescription() {
            try {
                return "exit code " + jvm.awaitExit(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "exit code unknown (interrupted)";
            } catch (AssertionError stillRunning) {
                return "exit code unknown";
            }
        }

        @Override
        public void close() {
            if (paused) {
                Signals.sendQuietly(jvm.pid(), "CONT");
            }
            jvm.close();
        }
    }

    /** kill -SIG pid, for our own child processes only. */
    static final class Signals {
        private Signals() {
        }

        static void send(long pid, String signal) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
                if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                    throw new IllegalStateException("kill -" + signal + " " + pid + " failed: "
                            + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted sending SIG" + signal + " to " + pid, e);
            }
        }

        /** Whether every thread of {@code pid} is stopped (state T in /proc). */
        static boolean stopped(long pid) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                return tasks.allMatch(task -> {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        char state = stat.charAt(stat.lastIndexOf(')') + 2);
                        return state == 'T' || state == 't';
                    } catch (IOException gone) {
                        return true;
                    }
                });
            } catch (IOException gone) {
                return true;
            }
        }

        /** Whether {@code pid} has exited: gone, or a zombie (its memory and files released, not yet reaped). */
        static boolean exited(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
            } catch (IOException gone) {
                return true;
            }
        }

        static void sendQuietly(long pid, String signal) {
            try {
                send(pid, signal);
            } catch (RuntimeException ignored) {
                // it is gone
            }
        }
    }
}
