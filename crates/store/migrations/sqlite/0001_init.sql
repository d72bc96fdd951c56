-- biginbox schema, SQLite flavour. Ids are application-minted 64-bit integers; times are
-- milliseconds since the Unix epoch. Tenant-owned tables put org_id first in their keys.

CREATE TABLE server_settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    email_lower   TEXT NOT NULL UNIQUE,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    password_hash TEXT,
    created_time  INTEGER NOT NULL
);

CREATE TABLE orgs (
    id                 INTEGER PRIMARY KEY,
    zgid               TEXT NOT NULL UNIQUE,
    company_name       TEXT NOT NULL,
    primary_email      TEXT NOT NULL,
    primary_account_id INTEGER NOT NULL,
    dc                 TEXT NOT NULL,
    time_zone          TEXT NOT NULL,
    created_time       INTEGER NOT NULL
);

CREATE TABLE org_users (
    org_id        INTEGER NOT NULL,
    id            INTEGER NOT NULL,
    account_id    INTEGER,
    email         TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    profile       TEXT NOT NULL,
    status        TEXT NOT NULL,
    confirmed     INTEGER NOT NULL,
    created_time  INTEGER NOT NULL,
    modified_time INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, account_id)
);
CREATE INDEX org_users_by_account ON org_users (account_id);

CREATE TABLE clients (
    client_id        TEXT PRIMARY KEY,
    secret_hash      TEXT NOT NULL,
    client_type      TEXT NOT NULL,
    name             TEXT NOT NULL,
    owner_account_id INTEGER NOT NULL,
    homepage         TEXT,
    redirect_uris    TEXT NOT NULL,
    js_domains       TEXT NOT NULL,
    multi_dc         INTEGER NOT NULL,
    created_time     INTEGER NOT NULL
);
CREATE INDEX clients_by_owner ON clients (owner_account_id);

CREATE TABLE grant_codes (
    digest         BLOB PRIMARY KEY,
    id             INTEGER NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    org_id         INTEGER NOT NULL,
    account_id     INTEGER NOT NULL,
    scopes         TEXT NOT NULL,
    redirect_uri   TEXT,
    offline        INTEGER NOT NULL,
    code_challenge TEXT,
    description    TEXT,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    created_time   INTEGER NOT NULL
);

CREATE TABLE refresh_tokens (
    digest       BLOB PRIMARY KEY,
    id           INTEGER NOT NULL UNIQUE,
    client_id    TEXT NOT NULL,
    org_id       INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    scopes       TEXT NOT NULL,
    code_id      INTEGER,
    created_time INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX refresh_tokens_by_code ON refresh_tokens (code_id);
CREATE INDEX refresh_tokens_by_owner ON refresh_tokens (account_id, client_id);

CREATE TABLE access_tokens (
    digest       BLOB PRIMARY KEY,
    id           INTEGER NOT NULL UNIQUE,
    refresh_id   INTEGER,
    code_id      INTEGER,
    client_id    TEXT NOT NULL,
    org_id       INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    scopes       TEXT NOT NULL,
    created_time INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX access_tokens_by_refresh ON access_tokens (refresh_id, created_time);
CREATE INDEX access_tokens_by_code ON access_tokens (code_id);

CREATE TABLE sessions (
    digest       BLOB PRIMARY KEY,
    account_id   INTEGER NOT NULL,
    created_time INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

CREATE TABLE records (
    org_id        INTEGER NOT NULL,
    id            INTEGER NOT NULL,
    module        TEXT NOT NULL,
    name          TEXT NOT NULL,
    owner_id      INTEGER NOT NULL,
    created_by    INTEGER NOT NULL,
    modified_by   INTEGER NOT NULL,
    created_time  INTEGER NOT NULL,
    modified_time INTEGER NOT NULL,
    deleted_time  INTEGER,
    deleted_by    INTEGER,
    data          TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
) WITHOUT ROWID;
CREATE INDEX records_by_module ON records (org_id, module, deleted_time, id);
CREATE INDEX records_by_modified ON records (org_id, module, deleted_time, modified_time);
CREATE INDEX records_by_created ON records (org_id, module, deleted_time, created_time);

-- Values of unique fields of live records, lower-cased: uniqueness ignores case.
CREATE TABLE record_keys (
    org_id    INTEGER NOT NULL,
    module    TEXT NOT NULL,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (org_id, module, field, value)
) WITHOUT ROWID;
CREATE INDEX record_keys_by_record ON record_keys (org_id, record_id);
