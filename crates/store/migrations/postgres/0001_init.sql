-- biginbox schema, PostgreSQL flavour. Ids are application-minted 64-bit integers; times are
-- milliseconds since the Unix epoch. Tenant-owned tables put org_id first in their keys.

CREATE TABLE server_settings (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE accounts (
    id            BIGINT PRIMARY KEY,
    email         TEXT NOT NULL,
    email_lower   TEXT NOT NULL UNIQUE,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    password_hash TEXT,
    created_time  BIGINT NOT NULL
);

CREATE TABLE orgs (
    id                 BIGINT PRIMARY KEY,
    zgid               TEXT NOT NULL UNIQUE,
    company_name       TEXT NOT NULL,
    primary_email      TEXT NOT NULL,
    primary_account_id BIGINT NOT NULL,
    dc                 TEXT NOT NULL,
    time_zone          TEXT NOT NULL,
    created_time       BIGINT NOT NULL
);

CREATE TABLE org_users (
    org_id        BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    account_id    BIGINT,
    email         TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    profile       TEXT NOT NULL,
    status        TEXT NOT NULL,
    confirmed     BOOLEAN NOT NULL,
    created_time  BIGINT NOT NULL,
    modified_time BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, account_id)
);
CREATE INDEX org_users_by_account ON org_users (account_id);

CREATE TABLE clients (
    client_id        TEXT PRIMARY KEY,
    secret_hash      TEXT NOT NULL,
    client_type      TEXT NOT NULL,
    name             TEXT NOT NULL,
    owner_account_id BIGINT NOT NULL,
    homepage         TEXT,
    redirect_uris    TEXT NOT NULL,
    js_domains       TEXT NOT NULL,
    multi_dc         BOOLEAN NOT NULL,
    created_time     BIGINT NOT NULL
);
CREATE INDEX clients_by_owner ON clients (owner_account_id);

CREATE TABLE grant_codes (
    digest         BYTEA PRIMARY KEY,
    id             BIGINT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    org_id         BIGINT NOT NULL,
    account_id     BIGINT NOT NULL,
    scopes         TEXT NOT NULL,
    redirect_uri   TEXT,
    offline        BOOLEAN NOT NULL,
    code_challenge TEXT,
    description    TEXT,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    created_time   BIGINT NOT NULL
);

CREATE TABLE refresh_tokens (
    digest       BYTEA PRIMARY KEY,
    id           BIGINT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL,
    org_id       BIGINT NOT NULL,
    account_id   BIGINT NOT NULL,
    scopes       TEXT NOT NULL,
    code_id      BIGINT,
    created_time BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX refresh_tokens_by_code ON refresh_tokens (code_id);
CREATE INDEX refresh_tokens_by_owner ON refresh_tokens (account_id, client_id);

CREATE TABLE access_tokens (
    digest       BYTEA PRIMARY KEY,
    id           BIGINT NOT NULL UNIQUE,
    refresh_id   BIGINT,
    code_id      BIGINT,
    client_id    TEXT NOT NULL,
    org_id       BIGINT NOT NULL,
    account_id   BIGINT NOT NULL,
    scopes       TEXT NOT NULL,
    created_time BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX access_tokens_by_refresh ON access_tokens (refresh_id, created_time);
CREATE INDEX access_tokens_by_code ON access_tokens (code_id);

CREATE TABLE sessions (
    digest       BYTEA PRIMARY KEY,
    account_id   BIGINT NOT NULL,
    created_time BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);

CREATE TABLE records (
    org_id        BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    module        TEXT NOT NULL,
    name          TEXT NOT NULL,
    owner_id      BIGINT NOT NULL,
    created_by    BIGINT NOT NULL,
    modified_by   BIGINT NOT NULL,
    created_time  BIGINT NOT NULL,
    modified_time BIGINT NOT NULL,
    deleted_time  BIGINT,
    deleted_by    BIGINT,
    data          JSONB NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX records_by_module ON records (org_id, module, deleted_time, id);
CREATE INDEX records_by_modified ON records (org_id, module, deleted_time, modified_time);
CREATE INDEX records_by_created ON records (org_id, module, deleted_time, created_time);

-- Values of unique fields of live records, lower-cased: uniqueness ignores case.
CREATE TABLE record_keys (
    org_id    BIGINT NOT NULL,
    module    TEXT NOT NULL,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    PRIMARY KEY (org_id, module, field, value)
);
CREATE INDEX record_keys_by_record ON record_keys (org_id, record_id);
