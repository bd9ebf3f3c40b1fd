-- The import as a background job with progress, a row report with its fix, rows held for an officer's
-- confirmation, and verification flags on registered women (a birth date that differs from the NIK's).

ALTER TABLE imports ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'done';  -- running | done | failed
ALTER TABLE imports ADD COLUMN IF NOT EXISTS rows_read integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS held integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS reported integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS with_warnings integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS assessed integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS sheet_name text;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS header_row integer;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS encoding text;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS columns jsonb NOT NULL DEFAULT '{}';  -- field -> title as written
ALTER TABLE imports ADD COLUMN IF NOT EXISTS failure text;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE imports ADD COLUMN IF NOT EXISTS finished_at timestamptz;
UPDATE imports SET rows_read = rows_total, finished_at = created_at WHERE finished_at IS NULL AND status = 'done';

-- Each report line: what happened to the row (refused | held | reported | warning), the problem, the fix.
ALTER TABLE import_errors ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'refused';
ALTER TABLE import_errors ADD COLUMN IF NOT EXISTS fix text NOT NULL DEFAULT '';

-- A row held for confirmation: its cells sealed (AES-GCM, they hold a NIK and a name) until an officer confirms or
-- discards it; then its outcome.
CREATE TABLE IF NOT EXISTS import_held_rows (
    import_ref  uuid NOT NULL REFERENCES imports,
    row_no      integer NOT NULL,
    reasons     text[] NOT NULL,          -- fields to confirm: birth_date, monthly_household_income_idr
    cells       bytea,                    -- NULL once resolved
    status      text NOT NULL DEFAULT 'held',  -- held | registered | already_registered | discarded
    person_ref  uuid,
    resolved_at timestamptz,
    PRIMARY KEY (import_ref, row_no)
);

-- Why a registered woman's record needs a look by DP3A (for the verification/duplicate queue).
CREATE TABLE IF NOT EXISTS verification_flags (
    person_ref uuid NOT NULL REFERENCES women,
    reason     text NOT NULL,             -- birth_date_differs_from_nik
    status     text NOT NULL DEFAULT 'open',
    flagged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_ref, reason)
);
