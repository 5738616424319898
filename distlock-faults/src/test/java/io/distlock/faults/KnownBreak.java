package io.distlock.faults;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * A promise a backend is known not to keep under a fault: what the fault suite waives, and only
 * there. Each has the id under which docs/lock-contract.md lists it ("Not yet kept") and the
 * promises it waives; a waiver of exclusion does not waive token order, and the other way round.
 * Every figure a waiver hides is still printed in the table.
 */
enum KnownBreak {
    /**
     * A JDBC session lock goes with its database session: a cut connection or a restarted server
     * frees it on the server at once, while its holder believes it holds until its backend notices
     * (distlock-jdbc's session-liveness check, each heartbeat).
     */
    JDBC_SESSION_CUT_CONNECTION("jdbc-session-cut-connection", EnumSet.of(Promise.EXCLUSION),
            (backend, fault) -> (backend.equals(PostgresAdapter.SESSION_NAME) || backend.equals(MariaDbAdapter.SESSION_NAME))
                    && (fault == Fault.CONNECTION_CUT || fault == Fault.SERVER_RESTART)),
    /** A PostgreSQL that acknowledges commits before they are on disk forgets the last ones (locks, sequence values) in a crash. */
    POSTGRESQL_ASYNCHRONOUS_COMMIT("postgresql-asynchronous-commit",
            EnumSet.of(Promise.EXCLUSION, Promise.TOKEN_ORDER),
            (backend, fault) -> backend.equals(PostgresAdapter.ASYNCHRONOUS_COMMIT_NAME) && fault == Fault.SERVER_RESTART),
    /** memcached restarted starts its token counter again from its clock in whole seconds: a token can repeat within the second. */
    MEMCACHED_RESTART("memcached-restart", EnumSet.of(Promise.TOKEN_ORDER),
            (backend, fault) -> backend.equals("memcached") && fault == Fault.SERVER_RESTART),
    /**
     * Redis replicates asynchronously: a promoted replica can lack the last increments of the token
     * counter (and the last lock), so a token is handed out again.
     */
    REDIS_FAILOVER_BEFORE_REPLICATION("redis-failover-before-replication", EnumSet.of(Promise.TOKEN_ORDER),
            (backend, fault) -> fault == Fault.FAILOVER || fault == Fault.FAILOVER_UNREPLICATED),
    /** A Redis primary frozen past its failover serves its clients as a second primary until it is demoted. */
    REDIS_FROZEN_PRIMARY("redis-frozen-primary",
            EnumSet.of(Promise.EXCLUSION, Promise.TOKEN_ORDER),
            (backend, fault) -> fault == Fault.FAILOVER_PAUSED);

    /** What a waiver turns off. */
    enum Promise {
        /** No two holders with valid leases (contract 3.1); with token order, nothing lost or refused. */
        EXCLUSION,
        /** Each token above every token handed out before (and fenced resources losing nothing). */
        TOKEN_ORDER
    }

    final String id;
    final Set<Promise> waives;
    private final BiPredicate<String, Fault> applies;

    KnownBreak(String id, Set<Promise> waives, BiPredicate<String, Fault> applies) {
        this.id = id;
        this.waives = waives;
        this.applies = applies;
    }

    /** The known breaks of {@code backend} (a {@link BackendAdapter#name()}) under {@code fault}. */
    static Set<KnownBreak> of(String backend, Fault fault) {
        Set<KnownBreak> breaks = EnumSet.noneOf(KnownBreak.class);
        for (KnownBreak known : values()) {
            if (known.applies.test(backend, fault)) {
                breaks.add(known);
            }
        }
        return breaks;
    }

    /** Whether any of {@code breaks} waives {@code promise}. */
    static boolean waived(Set<KnownBreak> breaks, Promise promise) {
        return breaks.stream().anyMatch(known -> known.waives.contains(promise));
    }
}
