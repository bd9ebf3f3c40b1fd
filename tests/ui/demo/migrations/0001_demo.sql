-- The demo app's one table: each sheet version it applied, so a test can count applications.
CREATE TABLE demo_sheets (
    id         bigserial PRIMARY KEY,
    sheet      text        NOT NULL,
    body       jsonb       NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
