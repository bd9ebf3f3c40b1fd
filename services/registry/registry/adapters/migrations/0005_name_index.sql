-- The blind index that lets staff find a woman by name although names are stored encrypted: one keyed HMAC
-- (REGISTRY_NIK_HMAC_KEY, never in the database) per normalised part of her name, written by the registry with
-- every registration, correction and import row, deleted at erasure. Women stored before this migration are
-- indexed when the service starts (adapters/repository/names.py, index_missing).
CREATE TABLE IF NOT EXISTS women_name_tokens (
    token      bytea NOT NULL,
    person_ref uuid NOT NULL REFERENCES women,
    PRIMARY KEY (token, person_ref)
);
CREATE INDEX IF NOT EXISTS women_name_tokens_person ON women_name_tokens (person_ref);
