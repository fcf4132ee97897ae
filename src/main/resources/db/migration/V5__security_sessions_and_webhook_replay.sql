-- Security state shared by every replica.

-- The key that signs admin session cookies: random, never derived from the password. Rotated (and
-- every session ended) when the admin password changes; password_check tells that it did
-- (PBKDF2 of the password with its salt, so the password itself is never stored).
CREATE TABLE admin_session_key (
    id             SMALLINT    PRIMARY KEY CHECK (id = 1),
    signing_key    BYTEA       NOT NULL,
    password_salt  BYTEA       NOT NULL,
    password_check BYTEA       NOT NULL,
    rotated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Admin sessions, server-side, so that logging out or changing the password ends them everywhere.
-- id is the SHA-256 of the cookie's random part (a database reader cannot log in with it).
CREATE TABLE admin_session (
    id           BYTEA       PRIMARY KEY,
    username     TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX admin_session_expiry ON admin_session (expires_at);

-- Intercom webhook notifications already accepted, kept for the replay window: the same signed
-- notification posted again is refused.
CREATE TABLE webhook_notification (
    notification_id TEXT        PRIMARY KEY,
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhook_notification_age ON webhook_notification (received_at);

-- The newest Intercom updated_at accepted per contact: an older version of the contact (a replay
-- that outlived the window) never overwrites a newer one.
CREATE TABLE intercom_contact_version (
    intercom_id TEXT   PRIMARY KEY,
    updated_at  BIGINT NOT NULL
);
