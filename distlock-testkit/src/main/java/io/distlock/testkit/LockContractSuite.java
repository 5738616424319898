package io.distlock.testkit;

import io.distlock.LockManager;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The lock contract (shared/lock-contract.md) as tests. A backend module extends this class in its
 * test sources and supplies {@link #newBackend()}; every numbered rule has at least one test here.
 *
 * <p>Every backend returned by {@link #newBackend()} within one test must see the same locks (same
 * directory, same server), as separate processes would. Rules a backend cannot keep are declared
 * in {@link #notApplicable()} with the reason; their tests then end as aborted with that reason,
 * visibly, never as silent passes.
 */
public abstract class LockContractSuite {
    private final List<LockManager> managers = new ArrayList<>();

    /** A new backend instance on the shared store under test. */
    protected abstract LockBackend newBackend();

    /**
     * A URI that a child JVM opens with {@code LockBackends.open} to reach the same store, or null
     * if locks cannot be shared across processes (then the multi-process rules are not applicable).
     */
    protected String backendUri() {
        return null;
    }

    /** Contract rule number (such as {@code "3.2"}) to the reason this backend cannot keep it. */
    protected Map<String, String> notApplicable() {
        return Map.of();
    }

    /** A manager on a fresh backend, closed after the test. */
    protected final LockManager newManager() {
        return newManager(builder -> { });
    }

    protected final LockManager newManager(Consumer<LockManager.Builder> settings) {
        LockManager.Builder builder = LockManager.builder(newBackend());
        settings.accept(builder);
        LockManager manager = builder.build();
        managers.add(manager);
        return manager;
    }

    @AfterEach
    void closeManagers() {
        for (LockManager manager : managers) {
            manager.close();
        }
        managers.clear();
    }
}
