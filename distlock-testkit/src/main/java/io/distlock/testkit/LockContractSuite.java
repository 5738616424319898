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
    /** Rule id of the multi-process part of 3.1 (and of 3.2 across processes). */
    public static final String MULTI_PROCESS = "3.1-processes";
    /** Rule id of waking another manager's waiter through the backend's own notification (2.5). */
    public static final String RELEASE_NOTIFICATION = "2.5-notification";
    /** Rule id of {@code list(prefix)} (5.1): not every backend can enumerate its keys. */
    public static final String LIST = "5.1-list";
    /** Rule id of a dropped connection suspending, then restoring, a held lock (6.4). */
    public static final String CONNECTION_DROP = "6.4";
    /** Rule id of namespaces (7.2). */
    public static final String NAMESPACE = "7.2";
}
