-- OAuth2 clients of the token endpoint: one per agency application. Secrets are stored only as slow
-- salted hashes (scrypt); a revoked client gets no new token (issued tokens expire within minutes).
CREATE TABLE IF NOT EXISTS oauth_clients (
    client_id   text PRIMARY KEY,
    name        text NOT NULL,
    opd         text,
    scopes      text[] NOT NULL,
    secret_hash text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
