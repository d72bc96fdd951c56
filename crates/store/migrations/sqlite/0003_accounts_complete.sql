-- Clients remember the data centre they were registered in; the device flow keeps its codes.

ALTER TABLE clients ADD COLUMN dc TEXT NOT NULL DEFAULT 'us';

CREATE TABLE device_codes (
    digest       BLOB PRIMARY KEY,
    user_code    TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL,
    dc           TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    offline      INTEGER NOT NULL,
    status       TEXT NOT NULL,
    org_id       INTEGER,
    account_id   INTEGER,
    interval_s   INTEGER NOT NULL,
    last_poll_at INTEGER,
    expires_at   INTEGER NOT NULL,
    created_time INTEGER NOT NULL
);
