package io.distlock.jdbc;

import io.distlock.testkit.ContractRule;

import java.util.HashMap;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The whole contract kit on a private MariaDB with session locks ({@code GET_LOCK}, one connection
 * per held lock), as {@link MariaDbContractTest} runs it for the lease table: each backend on its
 * own pool built from the URI; waiters in other processes poll.
 */
class MariaDbSessionContractTest extends MariaDbContractTest {
    @Override
    String strategyParameters() {
        // A connection per held lock: rule 6.1 holds 17 locks at once in one manager.
        return "&distlock.strategy=session&distlock.poolSize=24";
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(RELEASE_NOTIFICATION, DROP_NOTICED, CONNECTION_DROP);
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        Map<ContractRule, String> rules = new HashMap<>(super.notApplicable());
        rules.put(CONNECTION_DROP, "the lock IS the session: a connection the server drops ends it, by design, so it is lost, never restored "
                + "(PostgresSessionFaultTest and MariaDbSessionFaultTest check that: free at once, listener called once)");
        return rules;
    }

    /**
     * A live holder lets its lock go at the lease from a scheduler thread, a round trip later and
     * later still on a loaded host (3 ms past the lease at load 16); what bounds it is the takeover
     * of a lock whose row's lease has been over for the grace (README, "The lease is still honoured").
     */
    @Override
    protected Duration leaseRounding(Duration lease) {
        return SessionLocks.takeoverGrace(JdbcOptions.DEFAULT_HEARTBEAT);
    }
}
