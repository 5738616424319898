-- distlock lease table for PostgreSQL (10 or later), for teams that manage their schema themselves.
-- distlock runs this same script when the table is missing (unless createTable is off), with
-- "distlock_locks" replaced by the configured table name. Column names and types are checked at
-- start-up; extra nullable columns are allowed.
--
-- ns          the namespace (distlock.namespace); many applications can share one table
-- name        the lock name as UTF-8 bytes: any name, NUL characters included, compared exactly
-- owner       the acquisition's unique owner id; release and extend compare it
-- token       the fencing token, from distlock_locks_token_seq, taken under the row lock
-- host, pid, thread, acquired_at (ms since epoch, the holder's clock): who holds it, for people
-- expires_at  end of the lease in ms since epoch by the DATABASE's clock; a released lock keeps its
--             row with expires_at set to the release time (rows older than the retention are swept)
CREATE TABLE IF NOT EXISTS distlock_locks (
    ns          VARCHAR(100)  NOT NULL,
    name        BYTEA         NOT NULL,
    owner       VARCHAR(200)  NOT NULL,
    token       BIGINT        NOT NULL,
    host        VARCHAR(255)  NOT NULL,
    pid         BIGINT        NOT NULL,
    thread      VARCHAR(1000) NOT NULL,
    acquired_at BIGINT        NOT NULL,
    expires_at  BIGINT        NOT NULL,
    PRIMARY KEY (ns, name)
);
CREATE SEQUENCE IF NOT EXISTS distlock_locks_token_seq;
