-- The kit's tables in every service database, as they stood before versioned migrations: the outbox, the inbox,
-- Idempotency-Key answers and the audit trail. IF NOT EXISTS adopts a database created before then.


CREATE TABLE IF NOT EXISTS outbox (
    id           bigserial PRIMARY KEY,
    event_id     uuid        NOT NULL UNIQUE,
    topic        text        NOT NULL,
    key          text        NOT NULL,
    event_type   text        NOT NULL,
    envelope     bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS inbox (
    consumer   text        NOT NULL,
    event_id   uuid        NOT NULL,
    topic      text        NOT NULL,
    event_type text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope         text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    status_code   integer     NOT NULL,
    response_body bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

-- The audit trail of changes (berdaya_shared.audit).
CREATE TABLE IF NOT EXISTS audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    client_id  text,
    opd        text,
    method     text NOT NULL,
    path       text NOT NULL,
    status     integer NOT NULL,
    entity_ref text,
    before     jsonb,
    after      jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log (entity_ref, at);
CREATE INDEX IF NOT EXISTS audit_log_client ON audit_log (client_id, at);
