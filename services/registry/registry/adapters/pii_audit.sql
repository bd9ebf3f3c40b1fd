-- Every read of a woman's personal data (NIK, name, phone, birth date, case notes): who, which OPD,
-- whose record, the purpose the reader stated, when. Queried by DP3A's data protection officer.
CREATE TABLE IF NOT EXISTS pii_access_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    client_id  text NOT NULL,
    opd        text,
    person_ref uuid,
    what       text NOT NULL,
    purpose    text NOT NULL
);
CREATE INDEX IF NOT EXISTS pii_access_person ON pii_access_log (person_ref, at);
CREATE INDEX IF NOT EXISTS pii_access_client ON pii_access_log (client_id, at);
