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
