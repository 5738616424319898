-- distlock lease table for H2 (2.x), for tests and small setups. distlock runs this same script when
-- the table is missing (unless createTable is off), with "distlock_locks" replaced by the configured
-- table name. See schema-postgresql.sql for what each column means.
CREATE TABLE IF NOT EXISTS distlock_locks (
    ns          VARCHAR(100)    NOT NULL,
    name        VARBINARY(1024) NOT NULL,
    owner       VARCHAR(200)    NOT NULL,
    token       BIGINT          NOT NULL,
    host        VARCHAR(255)    NOT NULL,
    pid         BIGINT          NOT NULL,
    thread      VARCHAR(1000)   NOT NULL,
    acquired_at BIGINT          NOT NULL,
    expires_at  BIGINT          NOT NULL,
    PRIMARY KEY (ns, name)
);
CREATE SEQUENCE IF NOT EXISTS distlock_locks_token_seq;
