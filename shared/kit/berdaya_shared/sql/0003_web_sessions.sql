-- Staff sign-in sessions (berdaya_shared.signin): the browser's cookie holds only a random id; this row holds the
-- user's tokens, refreshed when the access token expires, and the purpose she declared for personal-data reads.
-- The id is stored as its SHA-256, so a copy of this table gives no cookie that signs anyone in. A row ends when
-- unused for the idle time, at the absolute expiry, or at sign-out.

CREATE TABLE web_sessions (
    id_hash            bytea       PRIMARY KEY,
    subject            text        NOT NULL,
    username           text        NOT NULL,
    idp_session        text,
    access_token       text        NOT NULL,
    access_expires_at  timestamptz NOT NULL,
    refresh_token      text,
    id_token           text,
    purpose            text,
    flash              jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_seen_at       timestamptz NOT NULL DEFAULT now(),
    idle_expires_at    timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL
);
CREATE INDEX web_sessions_idle ON web_sessions (idle_expires_at);
CREATE INDEX web_sessions_idp ON web_sessions (idp_session);
