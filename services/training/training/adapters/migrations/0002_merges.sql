-- Two registry records of one woman merged into one (registry.WomenMerged) and merges undone (WomenUnmerged):
-- a ref retired by a merge in force counts as its survivor. Each enrolment and placement keeps the ref it was
-- recorded under (person_ref: the ref its events name) beside the woman it counts for now (woman_ref), so an undo
-- only recomputes woman_ref.
CREATE TABLE women_merges (
    merge_ref     uuid PRIMARY KEY,
    surviving_ref uuid NOT NULL,
    retired_ref   uuid NOT NULL,
    merged_on     date,
    unmerged_on   date
);
CREATE INDEX women_merges_retired ON women_merges (retired_ref);
CREATE INDEX women_merges_surviving ON women_merges (surviving_ref);

ALTER TABLE enrolments ADD COLUMN woman_ref uuid, ADD COLUMN set_aside boolean NOT NULL DEFAULT false;
UPDATE enrolments SET woman_ref = person_ref;
ALTER TABLE enrolments ALTER COLUMN woman_ref SET NOT NULL;
-- one enrolment counts per woman and course; the overlapping one of a merged record is set aside
CREATE UNIQUE INDEX enrolments_one_per_woman ON enrolments (course_ref, woman_ref) WHERE NOT set_aside;
CREATE INDEX enrolments_woman ON enrolments (woman_ref);

ALTER TABLE placements ADD COLUMN woman_ref uuid;
UPDATE placements SET woman_ref = person_ref;
ALTER TABLE placements ALTER COLUMN woman_ref SET NOT NULL;
CREATE INDEX placements_woman ON placements (woman_ref);
