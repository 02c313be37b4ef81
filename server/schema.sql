-- The SQLite schema `permiso serve --data sqlite:FILE` reads. Each table
-- holds one kind of host record; a column holds the record's field of the
-- same name. List and map fields (`roles`, `allow`, `deny`, `grants`,
-- `attributes`, `scopes`) are JSON text; NULL is an absent field. A table
-- that does not exist is read as empty. Unknown columns are refused.
--
--   sqlite3 data.db < schema.sql

CREATE TABLE IF NOT EXISTS principals (
    id         TEXT PRIMARY KEY,   -- `user:1`, `service:ci`
    tenant     TEXT,
    roles      TEXT,               -- JSON list of role names
    allow      TEXT,               -- JSON list of permission patterns
    deny       TEXT,               -- JSON list of permission patterns
    grants     TEXT,               -- JSON list of {resource, level}
    attributes TEXT                -- JSON object: {"department": "eng"}
);

CREATE TABLE IF NOT EXISTS resources (
    id         TEXT PRIMARY KEY,   -- `todo:1`, `deployment:web`
    attributes TEXT                -- JSON object: {"owner": "user:1"}
);

-- API key records, as `permiso keygen --json` prints them (never the key).
CREATE TABLE IF NOT EXISTS keys (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    hash         TEXT NOT NULL,
    mask         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    tenant       TEXT,
    scopes       TEXT,             -- JSON list, or NULL for no cap
    label        TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER,
    rolled_from  TEXT              -- the key this one replaced
);

CREATE TABLE IF NOT EXISTS revoked_keys (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS revoked_sessions (id TEXT PRIMARY KEY);
