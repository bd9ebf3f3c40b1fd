-- Possible duplicates compared by name similarity within a block (same birth date and kecamatan), a queue that
-- can dismiss or merge a pair, and merges that can be undone.

-- A record merged into another (the retired one) points at the survivor. The old exact-name fingerprint is no
-- longer written or read: matching compares the names themselves (domain/duplicates.py). The column keeps what
-- it held (a migration never drops released data); its index goes.
ALTER TABLE women ADD COLUMN merged_into uuid REFERENCES women;
DROP INDEX IF EXISTS women_dup;
CREATE INDEX women_block ON women (birth_date, kecamatan_code) WHERE erased_at IS NULL AND merged_into IS NULL;
CREATE INDEX women_merged_into ON women (merged_into) WHERE merged_into IS NOT NULL;

-- One row per pair whichever way round it was flagged (an import flagged pairs inside a file both ways): the
-- decided row of a pair is kept, else either.
DELETE FROM possible_duplicates d USING possible_duplicates e
WHERE d.person_ref = e.other_ref AND d.other_ref = e.person_ref
  AND ((d.status = 'open' AND e.status <> 'open') OR (d.status = e.status AND d.person_ref > d.other_ref));
CREATE UNIQUE INDEX possible_duplicates_pair
    ON possible_duplicates (LEAST(person_ref, other_ref), GREATEST(person_ref, other_ref));
CREATE INDEX possible_duplicates_other ON possible_duplicates (other_ref);
CREATE INDEX possible_duplicates_open ON possible_duplicates (flagged_at, person_ref) WHERE status = 'open';
ALTER TABLE possible_duplicates
    ADD COLUMN score real,
    ADD COLUMN decided_at timestamptz,
    ADD COLUMN decided_by_opd text,
    -- checked for new rows (NOT VALID: rows written before are kept as they are)
    ADD CONSTRAINT possible_duplicates_status CHECK (status IN ('open', 'dismissed', 'merged')) NOT VALID;

CREATE TABLE merges (
    merge_ref                  uuid PRIMARY KEY,
    surviving_ref              uuid NOT NULL REFERENCES women,
    retired_ref                uuid NOT NULL REFERENCES women,
    merged_on                  date NOT NULL,
    merged_by_opd              text NOT NULL,
    nik_from                   text NOT NULL CHECK (nik_from IN ('surviving', 'retired')),
    -- the survivor's record as it was before the merge changed it (restored by an undo); her NIK sealed
    survivor_nik_cipher        bytea,
    survivor_registered_on     date NOT NULL,
    survivor_registered_by_opd text NOT NULL,
    moved                      jsonb NOT NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    unmerged_on                date,
    unmerged_by_opd            text,
    unmerge_reason             text,
    CHECK (surviving_ref <> retired_ref)
);
CREATE UNIQUE INDEX merges_retired_once ON merges (retired_ref) WHERE unmerged_on IS NULL;
CREATE INDEX merges_surviving ON merges (surviving_ref);

-- Facts that follow a survivor remember the ref they were recorded under (NULL: the person_ref they have), so an
-- undo can send back exactly what the merge moved, and an event about an old fact names the same ref as before.
ALTER TABLE welfare_assessments ADD COLUMN recorded_ref uuid, ADD COLUMN baseline_demoted_by uuid REFERENCES merges;
ALTER TABLE aid_records ADD COLUMN recorded_ref uuid;
ALTER TABLE businesses ADD COLUMN recorded_owner_ref uuid;
ALTER TABLE capital_disbursements ADD COLUMN recorded_ref uuid;
ALTER TABLE coop_memberships ADD COLUMN recorded_ref uuid, ADD COLUMN set_aside_by uuid REFERENCES merges;
DROP INDEX IF EXISTS coop_active_member;
CREATE UNIQUE INDEX coop_active_member ON coop_memberships (coop_ref, person_ref)
    WHERE left_on IS NULL AND set_aside_by IS NULL;
CREATE INDEX coop_memberships_person ON coop_memberships (person_ref);
CREATE INDEX capital_woman ON capital_disbursements (recipient_ref) WHERE recipient_type = 'woman';
CREATE INDEX welfare_person ON welfare_assessments (person_ref);
