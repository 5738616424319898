-- distlock lease table for MariaDB (10.3 or later: it needs SEQUENCE), for teams that manage their
-- schema themselves. distlock runs this same script when the table is missing (unless createTable is
-- off), with "distlock_locks" replaced by the configured table name. See schema-postgresql.sql for
-- what each column means. ns and owner compare byte for byte (ascii_bin): namespaces "App" and "app"
-- are different, as everywhere else in distlock; name is VARBINARY, so no collation or trailing-space
-- rule can make two names one.
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
CREATE SEQUENCE IF NOT EXISTS distlock_locks_token_seq ENGINE=InnoDB;
