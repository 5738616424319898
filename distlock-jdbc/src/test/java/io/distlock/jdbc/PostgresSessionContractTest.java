package io.distlock.jdbc;

/**
 * The whole contract kit on a private PostgreSQL with session locks (advisory locks, one connection
 * per held lock), as {@link PostgresContractTest} runs it for the lease table: through the
 * application's DataSource, child JVMs on the URI form. Every rule applies, LISTEN/NOTIFY included.
 */
class PostgresSessionContractTest extends PostgresContractTest {
    @Override
    JdbcLockBackend.Strategy strategy() {
        return JdbcLockBackend.Strategy.SESSION;
    }
}
