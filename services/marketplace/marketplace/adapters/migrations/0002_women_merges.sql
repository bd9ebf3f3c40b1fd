-- Two registry records of one woman merged (registry.WomenMerged) and merges undone (WomenUnmerged): a business
-- of a retired ref is hers under the surviving ref while the merge is in force. The replica keeps the owner each
-- business was registered with (recorded_owner_ref) beside the owner it has now (owner_person_ref), so an undo
-- gives the business back.
CREATE TABLE women_merges (
    merge_ref     uuid PRIMARY KEY,
    surviving_ref uuid NOT NULL,
    retired_ref   uuid NOT NULL,
    merged_on     date,
    unmerged_on   date
);
ALTER TABLE businesses_replica ADD COLUMN recorded_owner_ref uuid;
UPDATE businesses_replica SET recorded_owner_ref = owner_person_ref;
CREATE INDEX businesses_replica_recorded_owner ON businesses_replica (recorded_owner_ref);
