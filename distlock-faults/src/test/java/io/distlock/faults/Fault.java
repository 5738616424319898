package io.distlock.faults;

/** What the injector does to a running workload. */
enum Fault {
    /** No fault: the baseline. */
    NONE("none", false, false),
    /** SIGKILL to a client inside its section; a fresh client takes its place if fewer than two are left. */
    KILL_HOLDER("holder SIGKILLed", false, false),
    /** SIGSTOP to a client between its reads and its writes, until another client has done a section; then SIGCONT. */
    PAUSE_HOLDER("holder SIGSTOPped past its lease", false, false),
    /** The server SIGKILLed while a client holds, and started again at once (same port, no persistence). */
    SERVER_RESTART("server killed and restarted", true, false),
    /** The server SIGSTOPped for one and a half leases while a client holds, then SIGCONT. */
    SERVER_PAUSE("server SIGSTOPped past the lease", true, false),
    /** The proxied client's connections reset while it holds; new ones refused until another client got the lock. */
    CONNECTION_CUT("one client's connection cut", false, true),
    /** The proxied client's connections stop carrying bytes while it holds, until another client got the lock. */
    CONNECTION_STALL("one client's connection stalled", false, true);

    final String description;
    final boolean needsServer;
    final boolean needsProxy;

    Fault(String description, boolean needsServer, boolean needsProxy) {
        this.description = description;
        this.needsServer = needsServer;
        this.needsProxy = needsProxy;
    }
}
