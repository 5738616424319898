package io.distlock.testkit;

import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

/**
 * The lock contract (docs/lock-contract.md) as tests. A backend module extends this class in its
 * test sources and supplies {@link #newBackend()}; every rule whose outcome can depend on the
 * backend has at least one test here, with the rule's number in its display name.
 *
 * <p>The tests are the default methods of one interface per chapter of the contract:
 * {@link Acquiring} (2), {@link Holding} (3), {@link Releasing} (4), {@link SeeingAndRepairing} (5),
 * {@link BadInputAndFaults} (6) and {@link PerBackend} (7), all standing on {@link ContractFixture}.
 * A backend's report is still one class with every test in it. Rules that only the engine decides
 * (defaults, naming, option checks, the jitter, the renewal schedule, log lines) do not depend on
 * the backend; the kit's own tests check them once, on the in-memory backend.
 *
 * <p>Every backend returned by {@link #newBackend()} within one test must see the same locks (same
 * directory, same server), as separate processes would. Rules a backend cannot keep are declared
 * in {@link #notApplicable()} with the reason; their tests then end as aborted with that reason,
 * visibly in the report, never as silent passes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract non-sealed class LockContractSuite extends ContractFixture
        implements Acquiring, Holding, Releasing, SeeingAndRepairing, BadInputAndFaults, PerBackend {
    /** The multi-process part of 3.1 (and of 3.2 across processes). */
    public static final ContractRule MULTI_PROCESS = ContractRule.R3_1_PROCESSES;
    /** Tokens increasing across a restart of the server (3.2), through {@link #restartServer()}. */
    public static final ContractRule RESTART = ContractRule.R3_2_RESTART;
    /** Waking another manager's waiter through the backend's own notification (2.5). */
    public static final ContractRule RELEASE_NOTIFICATION = ContractRule.R2_5_NOTIFICATION;
    /** {@code list(prefix)} (5.1): not every backend can enumerate its keys. */
    public static final ContractRule LIST = ContractRule.R5_1_LIST;
    /** A dropped connection suspending, then restoring, a held lock (6.4). */
    public static final ContractRule CONNECTION_DROP = ContractRule.R6_4_CONNECTION_DROP;
    /**
     * The backend noticing a dropped connection (6.4): a backend whose pool silently replaces dead
     * connections declares it not applicable, and its locks simply stay held.
     */
    public static final ContractRule DROP_NOTICED = ContractRule.R6_4_DROP_NOTICED;
    /** Namespaces (7.2). */
    public static final ContractRule NAMESPACE = ContractRule.R7_2_NAMESPACE;
}
