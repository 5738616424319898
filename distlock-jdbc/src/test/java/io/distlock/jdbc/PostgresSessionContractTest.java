package io.distlock.jdbc;

import io.distlock.testkit.ContractRule;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The whole contract kit on a private PostgreSQL with session locks (advisory locks, one connection
 * per held lock), as {@link PostgresContractTest} runs it for the lease table: through the
 * application's DataSource, child JVMs on the URI form. Every rule applies, LISTEN/NOTIFY included, but
 * 6.4: a dropped connection ends a session lock by design.
 */
class PostgresSessionContractTest extends PostgresContractTest {
    @Override
    JdbcLockBackend.Strategy strategy() {
        return JdbcLockBackend.Strategy.SESSION;
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(CONNECTION_DROP);
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        return Map.of(CONNECTION_DROP, "the lock IS the session: a connection the server drops ends it, by design, so it is lost, never restored "
                + "(PostgresSessionFaultTest and MariaDbSessionFaultTest check that: free at once, listener called once)");
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
