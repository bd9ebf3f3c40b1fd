-- The monitoring service's tables as they stood before versioned migrations (commit 6cba04a created them with
-- IF NOT EXISTS at every start). Written the same way here so a database created then is adopted unchanged.

-- from schema.sql
-- Tables of the monitoring service outside the rebuildable projection schema.
CREATE TABLE IF NOT EXISTS targets (
    year int NOT NULL, kecamatan_code text NOT NULL, indicator text NOT NULL, target_value numeric NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, kecamatan_code, indicator)
);
CREATE TABLE IF NOT EXISTS published_indicators (
    indicator text NOT NULL, kecamatan_code text NOT NULL, period text NOT NULL, value double precision,
    suppressed boolean NOT NULL, published_at timestamptz NOT NULL,
    PRIMARY KEY (indicator, kecamatan_code, period)
);

-- from rounds.sql
-- Evaluation rounds of the coordination meetings (outside the rebuildable projection schema).
CREATE TABLE IF NOT EXISTS eval_rounds (
    round_ref uuid PRIMARY KEY, period_kind text NOT NULL, period text NOT NULL, title text NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT clock_timestamp(), opened_by_opd text NOT NULL,
    figures jsonb NOT NULL, targets jsonb NOT NULL,
    approved_on date, approved_by_opd text, approved_at timestamptz
);
CREATE TABLE IF NOT EXISTS eval_round_notes (
    round_ref uuid NOT NULL REFERENCES eval_rounds, opd text NOT NULL, progress_note text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (round_ref, opd)
);
CREATE TABLE IF NOT EXISTS eval_obstacles (
    obstacle_ref uuid PRIMARY KEY, round_ref uuid NOT NULL REFERENCES eval_rounds, opd text NOT NULL,
    category text NOT NULL, description text NOT NULL, severity text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS eval_actions (
    action_ref uuid PRIMARY KEY, opened_round_ref uuid NOT NULL REFERENCES eval_rounds, opd text NOT NULL,
    owner_opd text NOT NULL, description text NOT NULL, due_on date NOT NULL, status text NOT NULL,
    closed_round_ref uuid REFERENCES eval_rounds, created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- The status an action had in each round where it was reviewed: its history across rounds.
CREATE TABLE IF NOT EXISTS eval_action_reviews (
    action_ref uuid NOT NULL REFERENCES eval_actions, round_ref uuid NOT NULL REFERENCES eval_rounds,
    status text NOT NULL, note text NOT NULL DEFAULT '', reviewed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_ref, round_ref)
);

