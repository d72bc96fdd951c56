-- Clients remember the data centre they were registered in; the device flow keeps its codes.

ALTER TABLE clients ADD COLUMN dc TEXT NOT NULL DEFAULT 'us';

CREATE TABLE device_codes (
    digest       BYTEA PRIMARY KEY,
    user_code    TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL,
    dc           TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    offline      BOOLEAN NOT NULL,
    status       TEXT NOT NULL,
    org_id       BIGINT,
    account_id   BIGINT,
    interval_s   BIGINT NOT NULL,
    last_poll_at BIGINT,
    expires_at   BIGINT NOT NULL,
    created_time BIGINT NOT NULL
);
