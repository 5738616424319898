package io.distlock.testkit;

import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.AfterEach;
import org.opentest4j.TestAbortedException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What every chapter of the contract suite stands on: the backend a subclass supplies, managers
 * made on it and closed after each test, and the helpers the chapters share. Package-private: a
 * backend sees it only through {@link LockContractSuite}, whose protected API it is.
 */
abstract class ContractFixture {
    /** How long a test waits for something that should happen at once, before calling it a failure. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    private final List<LockManager> managers = new ArrayList<>();

    // ------------------------------------------------------------------ what a backend supplies

    /** A new backend instance on the shared store under test. */
    protected abstract LockBackend newBackend();

    /**
     * A new backend on the same store but in another namespace, or null if the backend has no
     * namespaces (then declare rule 7.2 not applicable).
     */
    protected LockBackend newBackend(String namespace) {
        return null;
    }

    /**
     * A URI that a child JVM opens with {@code LockBackends.open} to reach the same store, or null
     * if locks cannot be shared across processes (then declare
     * {@link LockContractSuite#MULTI_PROCESS} not applicable).
     */
    protected String backendUri() {
        return null;
    }

    /**
     * The parts of the contract this backend cannot keep, each with the reason (shown in the
     * report). Must equal {@link #pinnedNotApplicable()}, or the kit fails.
     */
    protected Map<ContractRule, String> notApplicable() {
        return Map.of();
    }

    /**
     * Exactly the parts of the contract this backend's contract test declares not applicable,
     * stated again by the concrete test class so that no backend opts out of a rule silently (a
     * subclass that inherits a longer {@link #notApplicable()}, a reason added in passing): the kit
     * fails when the two differ. Every concrete contract test states it, even when it is empty.
     */
    protected Set<ContractRule> pinnedNotApplicable() {
        throw new AssertionError(getClass().getSimpleName() + " must override pinnedNotApplicable() with exactly "
                + "the rules it declares not applicable: " + notApplicable().keySet());
    }

    /**
     * The longest opening a backend may take before it answers or fails, by the timeouts this
     * fixture gives its backends ({@link #backendUri()}'s: for most backends the connect timeout plus
     * one command's timeout). The kit's waits for work that opens backends are derived from it,
     * never fixed numbers of their own. By default 20 s, the 10 s connect and 10 s command timeouts
     * the kit's suites give their servers.
     */
    protected Duration openTimeout() {
        return Duration.ofSeconds(20);
    }

    /**
     * Drops every client connection of this backend's server from the server's side, for rule 6.4,
     * while the server keeps running (and keeps what it stores): for example
     * {@link io.distlock.testkit.server.ServerProcess#dropConnections()} on each server, or
     * Redis's {@code CLIENT KILL}. Returns how many connections were dropped. A backend with no
     * connection to drop (files, memory) declares {@link LockContractSuite#CONNECTION_DROP} not
     * applicable instead; the kit never guesses. A backend that reaches its server through a pool
     * that silently replaces dead connections declares {@link LockContractSuite#DROP_NOTICED} not
     * applicable: its locks then simply stay held, which rule 6.4 accepts (nothing was lost).
     */
    protected int dropConnections() {
        throw new AssertionError(getClass().getSimpleName() + " must override dropConnections() or declare rule "
                + LockContractSuite.CONNECTION_DROP + " not applicable, with the reason");
    }

    /**
     * Stops this backend's server and starts it again with the data it stored (for the file
     * backend: nothing to do, every {@link #newBackend()} is a new instance on the same directory),
     * for the part of rule 3.2 that says tokens keep increasing across a restart. Returns when the
     * server answers again. A backend whose server forgets its data on a restart (memcached, a Redis
     * without persistence, an in-memory H2) declares {@link LockContractSuite#RESTART} not
     * applicable, with the reason; the kit never guesses.
     */
    protected void restartServer() {
        throw new AssertionError(getClass().getSimpleName() + " must override restartServer() or declare rule "
                + LockContractSuite.RESTART + " not applicable, with the reason");
    }

    /**
     * How much longer than a granted {@code lease} the backend may keep the lock of a holder that
     * never releases it, by the rounding its README documents (memcached: whole seconds, rounded up,
     * plus three; ZooKeeper: 1 % of the lease). Rule 3.1 expects the lock free for a contender no
     * later than the lease plus this, counted from the backend's answer to the holder (or to the
     * contender's first look, which is later).
     */
    protected Duration leaseRounding(Duration lease) {
        return Duration.ZERO;
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** A manager on a fresh backend, closed after the test. */
    protected final LockManager newManager() {
        return newManager(builder -> { });
    }

    protected final LockManager newManager(Consumer<LockManager.Builder> settings) {
        return manage(newBackend(), settings);
    }

    /** A fresh backend that counts the calls made to it; give it to {@link #manage}. */
    protected final CountingBackend newCountingBackend() {
        return new CountingBackend(newBackend());
    }

    /** A manager on {@code backend}, closed after the test. */
    protected final LockManager manage(LockBackend backend, Consumer<LockManager.Builder> settings) {
        LockManager.Builder builder = LockManager.builder(backend);
        settings.accept(builder);
        LockManager manager = builder.build();
        managers.add(manager);
        return manager;
    }

    /** A lock name unique to this test, so tests never see each other's locks on a shared server. */
    protected final String uniqueName(String label) {
        return "kit-" + label + "-" + System.nanoTime();
    }

    @AfterEach
    void closeManagers() {
        for (LockManager manager : managers) {
            manager.close();
        }
        managers.clear();
    }

    // ------------------------------------------------------------------ helpers for the chapters

    /** Ends the test as aborted, with the backend's reason, when it declared {@code rule} not applicable. */
    final void requireApplicable(ContractRule rule) {
        String reason = notApplicable().get(rule);
        if (reason != null) {
            throw new TestAbortedException("contract rule " + rule + " is not applicable to this backend: " + reason);
        }
    }

    static LockOptions lease(Duration lease) {
        return LockOptions.builder().lease(lease).build();
    }

    static LockTimeoutException catchTimeout(Runnable acquire) {
        try {
            acquire.run();
        } catch (LockTimeoutException expected) {
            return expected;
        }
        throw new AssertionError("expected a LockTimeoutException, but the lock was acquired");
    }

    /**
     * Interrupts a test's threads and waits until they have stopped: a thread still running after
     * its test could write into the test's temporary directory while JUnit deletes it, and leave
     * it behind (seen when a broken backend made rule 3.1 fail).
     */
    static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("distlock kit: test threads still running " + PATIENCE + " after their test");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
