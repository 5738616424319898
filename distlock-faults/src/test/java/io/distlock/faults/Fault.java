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
    CONNECTION_STALL("one client's connection stalled", false, true),
    /**
     * The primary SIGKILLed while a client holds; a replica promoted (by Sentinel, or by the
     * cluster); the old primary back as the new one's replica.
     */
    FAILOVER("primary SIGKILLed, replica promoted", true, false),
    /**
     * The same, but replication held back first, and the primary killed while a client holds a lock
     * it took since: the lock and the tokens issued since exist only on the primary that dies.
     */
    FAILOVER_UNREPLICATED("primary SIGKILLed before replicating, replica promoted", true, false),
    /**
     * The primary SIGSTOPped while a client holds, until a replica is promoted; then SIGCONT: it
     * comes back believing it is still the primary, with every client still connected to it, until
     * it is made a replica.
     */
    FAILOVER_PAUSED("primary SIGSTOPped until a replica is promoted, then resumed", true, false);

    final String description;
    final boolean needsServer;
    final boolean needsProxy;

    Fault(String description, boolean needsServer, boolean needsProxy) {
        this.description = description;
        this.needsServer = needsServer;
        this.needsProxy = needsProxy;
    }
}
