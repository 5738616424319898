package io.distlock.jdbc;

import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.Durations;
import io.distlock.spi.HolderRecord;
import io.distlock.spi.LockNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The session strategy: a lock is a PostgreSQL advisory lock ({@code pg_try_advisory_lock}) or a
 * MariaDB or MySQL user lock ({@code GET_LOCK}) held by a database session of its own, a
 * connection taken from the pool for the lock's lifetime, so the lock dies with that session. The lease table still
 * records each holder (owner id marked {@link LeaseTable#SESSION_OWNER}, token from the same
 * sequence, metadata, lease end), so tokens, inspect and list work as in the lease-table strategy.
 *
 * <p><b>Who holds a name</b> is decided by the advisory lock alone; the row follows it. An acquirer
 * first takes the advisory lock and only then writes the row, and a holder ends the row's lease
 * before it lets the advisory lock go (in one statement on PostgreSQL), so the row of a name is
 * only ever written by the session that holds its advisory lock. Holding the advisory lock proves
 * that the session of any earlier session-strategy holder has ended (released, killed, crashed,
 * database restarted), so its row is taken even if its lease had not run out: that is what makes a
 * killed session's lock free at once. A row whose owner lacks the marker was written by the
 * lease-table strategy and is taken only once its lease ended, so the two strategies exclude each
 * other if a table and namespace are ever shared between them.
 *
 * <p><b>The lease is still honoured.</b> A holder's backend ends the lock (lease row, advisory
 * lock, connection back to the pool) when its lease runs out on its own monotonic clock, counted
 * from before its request, so never after the database's end of it. A holder that cannot do so
 * (frozen, or cut off with its connection still open) is ended by the next acquirer once its
 * row's lease has been over for {@link #grace}: that acquirer locks the row, checks again, and if
 * the session holding the advisory lock has been idle since before the lease ended, ends it
 * ({@code pg_terminate_backend}, {@code KILL}) and takes the lock. The database user needs the
 * right to end that session (same user, or PostgreSQL's pg_signal_backend, MariaDB's CONNECTION
 * ADMIN, MySQL's CONNECTION_ADMIN); without it the lock stays busy until the frozen holder's session ends.
 *
 * <p><b>A dead session is a lost lock.</b> A watch task checks every held lock's connection each
 * heartbeat. A dead one is discarded, and the pool is probed: when the database answers, the session
 * was ended from the server side (or its connection broke) and the lock is reported lost at once
 * ({@link BackendEvents#lost}); when it does not, the database is down and the engine suspends every
 * lock, then finds this one lost when the database is back (its {@link #extend} and inspection answer
 * "not yours") or when its lease runs out, whichever comes first.
 */
final class SessionLocks implements LockStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLocks.class);

    private final JdbcConnections connections;
    private final LeaseTable table;
    private final SessionStatements statements;
    private final Dialect dialect;
    private final Duration timeout;
    private final Duration heartbeat;
    /** How long after its row's lease ended a holder that still holds its session lock is ended by an acquirer. */
    private final Duration grace;
    private final int seconds;
    /** Held locks of this backend by owner id; a dead one stays until released or past its lease, so inspect never vouches for it. */
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor scheduler;
    /** Null until start(): a lock that dies before it is reported to no one. */
    private volatile @Nullable BackendEvents events;
    private volatile boolean closed;

    private static final class Held {
        final String name;
        final String ownerId;
        final SessionKeys.Key key;
        final Connection connection;
        /** The pool handed the connection out of auto-commit: it goes back that way. */
        final boolean autoCommitWas;
        // Written under this (the connection is used by one thread at a time); read without it by inspect.
        volatile boolean live = true;
        long deadline;
        /** The pending end of the lease; null while none is scheduled. */
        @Nullable ScheduledFuture<?> expiry;

        Held(AcquireRequest request, SessionKeys.Key key, Connection connection, boolean autoCommitWas, long deadline) {
            this.name = request.name();
            this.ownerId = request.ownerId();
            this.key = key;
            this.connection = connection;
            this.autoCommitWas = autoCommitWas;
            this.deadline = deadline;
        }
    }

    SessionLocks(JdbcConnections connections, LeaseTable table, Duration timeout, Duration heartbeat) {
        if (table.dialect == Dialect.H2) {
            throw new IllegalArgumentException("H2 has no session locks");
        }
        this.connections = connections;
        this.table = table;
        this.statements = new SessionStatements(table, timeout);
        this.dialect = table.dialect;
        this.timeout = timeout;
        this.heartbeat = heartbeat;
        this.grace = takeoverGrace(heartbeat);
        this.seconds = JdbcConnections.wholeSeconds(timeout);
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "distlock-jdbc-sessions");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * How long past its row's lease a holder that still holds its session lock may keep it before an
     * acquirer ends its session: {@code max(1 s, 2 × heartbeat)}, the rounding of this strategy's
     * lease (a live holder lets go at its lease on its own, unless its host is too loaded to run it).
     */
    static Duration takeoverGrace(Duration heartbeat) {
        Duration twoBeats = heartbeat.multipliedBy(2);
        return twoBeats.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : twoBeats;
    }

    // The checks' future is not kept: close() ends them with shutdownNow. A failure escaping a run
    // would cancel every later one unseen, so it is caught and logged in the run.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Override
    public void start(BackendEvents events) {
        this.events = events;
        long every = heartbeat.toNanos();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                checkSessions();
            } catch (RuntimeException failure) {
                LOG.warn("{}: checking the sessions of held locks failed: {}", connections.describe(),
                        connections.explain(failure));
            }
        }, every, every, TimeUnit.NANOSECONDS);
    }

    /** Refuses a name that is not well-formed text here, before any lock is taken: its row could not store it. */
    SessionKeys.Key key(String name) {
        return SessionKeys.of(table.namespace(), LockNames.requireWellFormed(name));
    }

    int heldCount() {
        return held.size();
    }

    // ------------------------------------------------------------------ acquiring

    @Override
    public AcquireResult acquire(AcquireRequest request) {
        return connections.guarded("acquire", request.name(), () -> acquireOnce(request));
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        return connections.guarded("extend", name, () -> extendHeld(name, ownerId, lease));
    }

    @Override
    public boolean release(String name, String ownerId) {
        return connections.guarded("release", name, () -> releaseHeld(name, ownerId));
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return connections.call("inspect", name, true, connection -> inspect(connection, name));
    }

    @Override
    public ListPage list(String prefix, int limit) {
        return connections.call("list", prefix, true, connection -> list(connection, prefix, limit));
    }

    @Override
    public boolean forceRelease(String name) {
        return connections.call("forceRelease", name, true, connection -> forceRelease(connection, name));
    }

    private AcquireResult acquireOnce(AcquireRequest request) throws SQLException {
        SessionKeys.Key key = key(request.name());
        Connection connection;
        try {
            connection = connections.connection();
        } catch (SQLException e) {
            if (connections.poolExhausted()) {
                // Not the database's fault: no connection-lost report, which would suspend every lock.
                throw new LockBackendException(connections.describe() + ": acquire '" + request.name() + "' failed: every "
                        + "connection of the pool is in use, and this backend holds " + held.size() + " session "
                        + "lock(s), each on a connection of its own: give the pool more connections (distlock.poolSize)",
                        e);
            }
            throw e;
        }
        boolean kept = false;
        boolean clean = false;
        boolean autoCommitWas = true;
        try {
            autoCommitWas = connection.getAutoCommit();
            if (!autoCommitWas) {
                connection.setAutoCommit(true);
            }
            long sentAt = System.nanoTime();
            SessionStatements.Attempt attempt = statements.attempt(connection, request, key);
            if (!attempt.locked() && overdue(attempt.before()) && takeOver(connection, request.name(), key)) {
                sentAt = System.nanoTime();
                attempt = statements.attempt(connection, request, key);
            }
            if (attempt.locked() && attempt.token() > 0) {
                Held lock = new Held(request, key, connection, autoCommitWas, Durations.deadlineNanos(sentAt, request.lease()));
                held.put(lock.ownerId, lock);
                kept = true;
                synchronized (lock) {
                    if (closed) {
                        end(lock);
                        throw new LockBackendException(connections.describe() + " was closed while acquiring '"
                                + request.name() + "'");
                    }
                    scheduleExpiry(lock);
                }
                return AcquireResult.acquired(attempt.token());
            }
            if (attempt.locked()) {
                // The row is a lease-table holder's whose lease lasts (the strategies share the table).
                statements.unlock(connection, key);
            }
            clean = true;
            LeaseTable.Row before = attempt.before();
            return before != null && before.live() ? AcquireResult.busy(info(request.name(), before))
                    : AcquireResult.busy();
        } finally {
            if (!kept) {
                if (clean) {
                    giveBack(connection, autoCommitWas);
                } else {
                    // It may hold the advisory lock: it must never go back to the pool that way.
                    discard(connection);
                }
            }
        }
    }

    /** A session-strategy row whose lease ended more than {@link #grace} ago, while its advisory lock is still held. */
    private boolean overdue(LeaseTable.@Nullable Row row) {
        return row != null && row.owner().startsWith(LeaseTable.SESSION_OWNER)
                && Durations.saturatedAdd(row.expiresAt(), Durations.saturatedMillis(grace)) <= row.now();
    }

    /**
     * Ends the session of a holder whose lease is overdue (frozen, or cut off with its connection
     * still open). The check is made again under the row's lock, which a holder's extend also takes,
     * so an extend that landed since the first look keeps its lock; true if a session was ended.
     * A database user that may not end that session leaves the lock busy, with a warning.
     */
    private boolean takeOver(Connection connection, String name, SessionKeys.Key key) throws SQLException {
        try {
            return endHolder(connection, name, key, true);
        } catch (SQLException e) {
            if (JdbcConnections.isConnectionProblem(e)) {
                throw e;
            }
            LOG.warn("{}: lock '{}' is held past its lease by a session that could not be ended ({}); it stays busy "
                    + "until that session ends", connections.describe(), name, connections.explain(e));
            return false;
        }
    }

    /**
     * Ends whoever holds {@code name}: the session holding its advisory lock, and the row's lease;
     * with {@code onlyOverdue}, only a session-strategy holder overdue by {@link #grace}. In one
     * transaction that keeps the row locked, so no acquirer writes it meanwhile.
     *
     * <p>Races, and why they are harmless. The advisory lock and the row are two things, so the
     * session holding the advisory lock may not be the row's holder: a new holder takes the advisory
     * lock a moment before its upsert writes the row (which then waits for this transaction's row
     * lock). A takeover therefore ends a session only if it has been idle since before the row's lease
     * ended, which a new holder never is (it is working right now), nor a healthy old one (its
     * heartbeat and extends keep it busy): only a holder frozen or cut off since before its lease
     * ended. An extend is no race: it takes the row lock too, so either it landed before this
     * transaction read the row (then nothing is overdue) or it waits and fails with the ended session.
     * forceRelease ends whoever holds the advisory lock, which is what it is for; should that be a new
     * holder between its advisory lock and its upsert, its acquisition fails with an exception: a
     * spurious failure, never a second holder. Whatever the race, ending a session only ever removes
     * a holder. The row's lease is ended only if the row still has the owner seen here.
     */
    private boolean endHolder(Connection connection, String name, SessionKeys.Key key, boolean onlyOverdue)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false);
        }
        boolean committed = false;
        try {
            LeaseTable.Row row = table.readRow(connection, name, true);
            if (onlyOverdue && !overdue(row)) {
                connection.commit();
                committed = true;
                return false;
            }
            Long session = statements.holderSession(connection, key);
            // With onlyOverdue the row is there (it was overdue): the null check is for the checker.
            if (onlyOverdue && row != null && session != null
                    && !statements.idleSince(connection, session, row.expiresAt())) {
                // Busy since the lease ended: a new holder that has the advisory lock and is about to
                // write the row, or the old one unlocking right now. Only a session left idle is ended.
                connection.commit();
                committed = true;
                return false;
            }
            boolean ended = session != null && statements.terminate(connection, key, session);
            if (!onlyOverdue && row != null && row.live()) {
                ended |= table.release(connection, name, row.owner());
            }
            connection.commit();
            committed = true;
            if (ended) {
                LOG.info("{}: ended the holder of lock '{}'{}", connections.describe(), name,
                        onlyOverdue ? " (its lease was over, its session still held the lock)" : "");
            }
            return ended;
        } finally {
            if (!committed) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // The original failure says more.
                }
            }
            if (autoCommit) {
                connection.setAutoCommit(true);
            }
        }
    }

    // ------------------------------------------------------------------ holding and releasing

    private boolean extendHeld(String name, String ownerId, Duration lease) throws SQLException {
        Held lock = held.get(ownerId);
        if (lock == null || !lock.name.equals(name)) {
            return false;
        }
        synchronized (lock) {
            if (!lock.live) {
                return false;
            }
            long sentAt = System.nanoTime();
            boolean extended;
            try {
                extended = table.extend(lock.connection, name, LeaseTable.SESSION_OWNER + ownerId, lease);
            } catch (SQLException e) {
                if (!isDead(lock.connection, e)) {
                    throw e;
                }
                if (died(lock, e, false)) {
                    return false;
                }
                // The database is down: the engine suspends the lock and later finds it gone.
                throw e;
            }
            if (!extended) {
                // Its lease ended on the database's clock before this extend: free the lock now.
                end(lock);
                return false;
            }
            lock.deadline = Durations.deadlineNanos(sentAt, lease);
            scheduleExpiry(lock);
            return true;
        }
    }

    private boolean releaseHeld(String name, String ownerId) throws SQLException {
        Held lock = held.get(ownerId);
        if (lock == null || !lock.name.equals(name)) {
            return false;
        }
        held.remove(ownerId, lock);
        synchronized (lock) {
            if (!lock.live) {
                return false;
            }
            lock.live = false;
            cancelExpiry(lock);
            boolean released;
            try {
                released = statements.release(lock.connection, lock.name, lock.ownerId, lock.key);
            } catch (SQLException e) {
                boolean dead = isDead(lock.connection, e);
                // Whether it unlocked is unknown: closing the session frees the lock in any case.
                discard(lock.connection);
                if (dead) {
                    return false;
                }
                throw e;
            }
            giveBack(lock.connection, lock.autoCommitWas);
            return released;
        }
    }

    /** Lets a held lock go quietly (its lease ran out, or an extend found it ended, or the backend closes). */
    private void end(Held lock) {
        lock.live = false;
        cancelExpiry(lock);
        held.remove(lock.ownerId, lock);
        try {
            statements.release(lock.connection, lock.name, lock.ownerId, lock.key);
            giveBack(lock.connection, lock.autoCommitWas);
        } catch (SQLException e) {
            discard(lock.connection);
        }
    }

    private void scheduleExpiry(Held lock) {
        cancelExpiry(lock);
        try {
            lock.expiry = scheduler.schedule(() -> expire(lock), Math.max(0, lock.deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // close() ends every lock.
        }
    }

    private static void cancelExpiry(Held lock) {
        ScheduledFuture<?> expiry = lock.expiry;
        if (expiry != null) {
            expiry.cancel(false);
            lock.expiry = null;
        }
    }

    /** The lease ran out without an extend: the lock goes now, as a lease-table row's would. */
    private void expire(Held lock) {
        synchronized (lock) {
            if (lock.live && System.nanoTime() - lock.deadline >= 0) {
                LOG.debug("{}: lease of lock '{}' ran out; its session lock is let go", connections.describe(), lock.name);
                end(lock);
            }
        }
    }

    /** Each heartbeat: every held lock's session still answers; dead ones are lost, or suspended with the database. */
    // held is a ConcurrentHashMap: its views' iterators are weakly consistent and never throw
    // ConcurrentModificationException, so removing a dead lock while iterating is safe.
    @SuppressWarnings("ModifyCollectionInEnhancedForLoop")
    private void checkSessions() {
        long now = System.nanoTime();
        for (Held lock : held.values()) {
            if (closed) {
                return;
            }
            synchronized (lock) {
                if (!lock.live) {
                    if (now - lock.deadline > 0) {
                        held.remove(lock.ownerId, lock);
                    }
                    continue;
                }
                SQLException failure;
                try {
                    failure = lock.connection.isValid(seconds) ? null
                            : new SQLException("the session's connection is closed or did not answer within " + timeout, "08006");
                } catch (SQLException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new SQLException(e.toString(), "08006", e);
                }
                if (failure != null) {
                    died(lock, failure, true);
                }
            }
        }
    }

    /**
     * The lock's session is gone (its lock with it): discards the connection and tells killed from
     * down by probing the pool. True when the database answers: then the lock is lost now (reported
     * when {@code report}), its row's lease is ended and waiters are woken. False when it does not:
     * the connection-lost report suspends every lock. Caller holds {@code lock}.
     */
    private boolean died(Held lock, Throwable cause, boolean report) {
        lock.live = false;
        cancelExpiry(lock);
        discard(lock.connection);
        Throwable down = connections.probeFailure();
        if (down != null) {
            connections.health().lost(down);
            return false;
        }
        LOG.warn("{}: the database session holding lock '{}' ended ({}); the lock is lost", connections.describe(),
                lock.name, connections.explain(cause));
        BackendEvents target = events;
        if (report && target != null) {
            target.lost(lock.name, lock.ownerId, new LockBackendException(connections.describe()
                    + ": the database session that held lock '" + lock.name + "' ended: "
                    + connections.explain(cause), cause));
        }
        connections.quietly("release", lock.name,
                connection -> table.release(connection, lock.name, LeaseTable.SESSION_OWNER + lock.ownerId));
        if (target != null) {
            target.released(lock.name);
        }
        return true;
    }

    private boolean isDead(Connection connection, SQLException failure) {
        if (JdbcConnections.isDeadConnection(failure)) {
            return true;
        }
        try {
            return connection.isClosed() || !connection.isValid(seconds);
        } catch (SQLException | RuntimeException e) {
            return true;
        }
    }

    private void giveBack(Connection connection, boolean autoCommitWas) {
        try {
            if (!autoCommitWas) {
                connection.setAutoCommit(false);
            }
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing a session connection failed: {}", connections.masked(e));
        }
    }

    /** Closes the physical connection (ending its session and any lock it holds) rather than pooling it again. */
    private void discard(Connection connection) {
        connections.discard(connection);
    }

    // ------------------------------------------------------------------ seeing and repairing

    /**
     * The row's holder, if it still holds: a session-strategy row counts only while some session
     * holds its advisory lock (a killed holder's row keeps its lease, but not the lock), and never
     * for a lock of this backend whose session is known dead.
     */
    private Optional<LockInfo> inspect(Connection connection, String name) throws SQLException {
        Optional<LockInfo> row = table.inspect(connection, name);
        if (row.isEmpty() || !row.get().ownerId().startsWith(LeaseTable.SESSION_OWNER)) {
            return row;
        }
        String ownerId = row.get().ownerId().substring(LeaseTable.SESSION_OWNER.length());
        if (knownDead(ownerId) || statements.holderSession(connection, key(name)) == null) {
            return Optional.empty();
        }
        return Optional.of(withOwner(row.get(), ownerId));
    }

    private ListPage list(Connection connection, String prefix, int limit) throws SQLException {
        Set<Long> lockedKeys = dialect == Dialect.POSTGRESQL ? statements.advisoryLocks(connection) : null;
        return table.list(connection, prefix, limit, row -> {
            if (!row.ownerId().startsWith(LeaseTable.SESSION_OWNER)) {
                return row;
            }
            String ownerId = row.ownerId().substring(LeaseTable.SESSION_OWNER.length());
            SessionKeys.Key key = key(row.name());
            boolean locked = lockedKeys != null ? lockedKeys.contains(key.advisory())
                    : statements.holderSession(connection, key) != null;
            return locked && !knownDead(ownerId) ? withOwner(row, ownerId) : null;
        });
    }

    private boolean forceRelease(Connection connection, String name) throws SQLException {
        try {
            return endHolder(connection, name, key(name), false);
        } catch (SQLException e) {
            if (JdbcConnections.isConnectionProblem(e)) {
                throw e;
            }
            throw new LockBackendException(connections.describe() + ": forceRelease '" + name + "' could not end the "
                    + "database session holding it: " + connections.explain(e) + " [the database user must be "
                    + "allowed to end that session: on PostgreSQL the same role or pg_signal_backend, on MariaDB the "
                    + "same user or CONNECTION ADMIN, on MySQL the same user or CONNECTION_ADMIN]", e);
        }
    }

    private boolean knownDead(String ownerId) {
        Held lock = held.get(ownerId);
        return lock != null && !lock.live;
    }

    private static LockInfo withOwner(LockInfo row, String ownerId) {
        return new HolderRecord(ownerId, row.host(), row.pid(), row.thread(), row.acquiredAt(), row.expiresAt())
                .info(row.name(), row.token());
    }

    private static LockInfo info(String name, LeaseTable.Row row) {
        String owner = row.owner();
        return row.info(name, owner.startsWith(LeaseTable.SESSION_OWNER)
                ? owner.substring(LeaseTable.SESSION_OWNER.length()) : owner);
    }

    // ------------------------------------------------------------------ closing

    /** Lets every lock still held go (their sessions end); the engine has released its own before. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        for (Held lock : held.values()) {
            synchronized (lock) {
                if (lock.live) {
                    end(lock);
                }
            }
        }
        held.clear();
        try {
            scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
