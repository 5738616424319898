package io.distlock.testkit;

/**
 * The parts of the contract (docs/lock-contract.md) that a backend may declare not applicable, in
 * {@link LockContractSuite#notApplicable()}, and must then pin in
 * {@link LockContractSuite#pinnedNotApplicable()}. Each is a rule, or the part of a rule that needs a
 * capability not every backend has; the kit's test of that part ends as aborted with the backend's
 * reason.
 */
public enum ContractRule {
    /** 3.1 (and 3.2) across processes: locks shared with other JVMs through {@code backendUri()}. */
    R3_1_PROCESSES("3.1-processes"),
    /** 3.2 across a restart of the server that keeps its data: tokens keep increasing. */
    R3_2_RESTART("3.2-restart"),
    /** 2.5: a waiter of another manager woken by the backend's own notification. */
    R2_5_NOTIFICATION("2.5-notification"),
    /** 5.1: {@code list(prefix)}, where the backend can enumerate its keys. */
    R5_1_LIST("5.1-list"),
    /** 6.4: a connection the server drops suspends, then restores, a held lock. */
    R6_4_CONNECTION_DROP("6.4"),
    /** 6.4: the backend notices the drop (reports the lock suspended) rather than silently reconnecting. */
    R6_4_DROP_NOTICED("6.4-noticed"),
    /** 7.2: namespaces on one shared server. */
    R7_2_NAMESPACE("7.2");

    private final String id;

    ContractRule(String id) {
        this.id = id;
    }

    /** The rule's number in the contract, with the part's name where it is a part: {@code "3.1-processes"}. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
