-- distlock lease table for MySQL (8.0 or later), for teams that manage their schema themselves.
-- distlock runs this same script when the table is missing (unless createTable is off), with
-- "distlock_locks" replaced by the configured table name; every statement may run again, and by
-- several clients at once. See schema-postgresql.sql for what each column means. ns and owner
-- compare byte for byte (ascii_bin), name is VARBINARY, as on MariaDB.
CREATE TABLE IF NOT EXISTS distlock_locks (
    ns          VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name        VARBINARY(1024) NOT NULL,
    owner       VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    token       BIGINT NOT NULL,
    host        VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL,
    pid         BIGINT NOT NULL,
    thread      VARCHAR(1000) CHARACTER SET utf8mb4 NOT NULL,
    acquired_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (ns, name)
) ENGINE=InnoDB;
-- MySQL has no SEQUENCE: the fencing tokens come from this counter, one row (id = 1) holding the
-- last token handed out. An acquisition that has just made a lock's row its own raises it in the
-- same transaction (UPDATE ... SET last_token = LAST_INSERT_ID(last_token + 1)), so tokens follow
-- the order in which locks change hands; the row is InnoDB data, kept across restarts like any
-- other (unlike an AUTO_INCREMENT counter, which MySQL before 8.0 rebuilt from MAX() at start-up).
CREATE TABLE IF NOT EXISTS distlock_locks_token_seq (
    id         INT NOT NULL,
    last_token BIGINT NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT INTO distlock_locks_token_seq (id, last_token) VALUES (1, 0) ON DUPLICATE KEY UPDATE id = id;
