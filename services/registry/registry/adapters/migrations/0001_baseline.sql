-- The registry service's tables as they stood before versioned migrations (commit 6cba04a created them with
-- IF NOT EXISTS at every start). Written the same way here so a database created then is adopted unchanged.

-- from schema.sql
-- Registry tables. Personal data (NIK, name, phone, case notes) is stored encrypted; lookups use keyed HMACs.

CREATE TABLE IF NOT EXISTS women (
    person_ref        uuid PRIMARY KEY,
    nik_hmac          bytea UNIQUE,
    nik_cipher        bytea,
    name_cipher       bytea,
    phone_cipher      bytea,
    birth_date        date,
    dup_fingerprint   bytea,
    age_band          text NOT NULL,
    kecamatan_code    text NOT NULL,
    desa_code         text,
    household_size    integer NOT NULL CHECK (household_size BETWEEN 1 AND 30),
    pekka_category    text NOT NULL,
    registered_by_opd text NOT NULL,
    registered_on     date NOT NULL,
    import_ref        uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    erased_at         timestamptz
);
CREATE INDEX IF NOT EXISTS women_area ON women (kecamatan_code, desa_code);
CREATE INDEX IF NOT EXISTS women_pekka ON women (pekka_category);
CREATE INDEX IF NOT EXISTS women_dup ON women (dup_fingerprint);

CREATE TABLE IF NOT EXISTS possible_duplicates (
    person_ref uuid NOT NULL REFERENCES women,
    other_ref  uuid NOT NULL REFERENCES women,
    status     text NOT NULL DEFAULT 'open',
    flagged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_ref, other_ref)
);

CREATE TABLE IF NOT EXISTS poverty_lines (
    valid_from date PRIMARY KEY,
    idr        bigint NOT NULL CHECK (idr > 0),
    source     text NOT NULL
);
INSERT INTO poverty_lines (valid_from, idr, source)
VALUES ('2024-01-01', 753332, 'BPS: garis kemiskinan Kabupaten Kutai Kartanegara 2024')
ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS welfare_assessments (
    assessment_ref               uuid PRIMARY KEY,
    person_ref                   uuid NOT NULL REFERENCES women,
    assessed_on                  date NOT NULL,
    household_size               integer NOT NULL,
    monthly_household_income_idr bigint NOT NULL,
    per_capita_income_idr        bigint NOT NULL,
    poverty_line_idr             bigint NOT NULL,
    poverty_line_valid_from      date NOT NULL,
    below_poverty_line           boolean NOT NULL,
    is_baseline                  boolean NOT NULL,
    created_at                   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS welfare_one_baseline ON welfare_assessments (person_ref) WHERE is_baseline;

CREATE TABLE IF NOT EXISTS aid_records (
    aid_ref      uuid PRIMARY KEY,
    person_ref   uuid NOT NULL REFERENCES women,
    kind         text NOT NULL,
    provider_opd text NOT NULL,
    provided_on  date NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS aid_person ON aid_records (person_ref);

CREATE TABLE IF NOT EXISTS aid_case_notes (
    note_id        bigserial PRIMARY KEY,
    aid_ref        uuid NOT NULL REFERENCES aid_records,
    note_cipher    bytea NOT NULL,
    written_by_opd text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS businesses (
    business_ref     uuid PRIMARY KEY,
    owner_person_ref uuid NOT NULL REFERENCES women,
    name             text NOT NULL,
    sector           text NOT NULL,
    kecamatan_code   text NOT NULL,
    has_nib          boolean NOT NULL,
    nib              text,
    has_pirt         boolean NOT NULL,
    has_halal        boolean NOT NULL,
    started_on       date NOT NULL,
    registered_on    date NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS businesses_owner ON businesses (owner_person_ref);

CREATE TABLE IF NOT EXISTS business_reports (
    business_ref        uuid NOT NULL REFERENCES businesses,
    period              text NOT NULL,
    monthly_revenue_idr bigint NOT NULL,
    workers             integer NOT NULL,
    has_nib             boolean NOT NULL,
    has_pirt            boolean NOT NULL,
    has_halal           boolean NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_ref, period)
);

CREATE TABLE IF NOT EXISTS coops (
    coop_ref            uuid PRIMARY KEY,
    name                text NOT NULL,
    kecamatan_code      text NOT NULL,
    kind                text NOT NULL,
    formed_on           date NOT NULL,
    has_legal_entity    boolean NOT NULL,
    legal_entity_number text,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS coop_memberships (
    id         bigserial PRIMARY KEY,
    coop_ref   uuid NOT NULL REFERENCES coops,
    person_ref uuid NOT NULL REFERENCES women,
    joined_on  date NOT NULL,
    left_on    date,
    founding   boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS coop_active_member ON coop_memberships (coop_ref, person_ref) WHERE left_on IS NULL;

CREATE TABLE IF NOT EXISTS coop_annual_meetings (
    coop_ref    uuid NOT NULL REFERENCES coops,
    fiscal_year integer NOT NULL,
    held_on     date NOT NULL,
    PRIMARY KEY (coop_ref, fiscal_year)
);

CREATE TABLE IF NOT EXISTS capital_disbursements (
    disbursement_ref uuid PRIMARY KEY,
    recipient_type   text NOT NULL,
    recipient_ref    uuid NOT NULL,
    source           text NOT NULL,
    amount_idr       bigint NOT NULL CHECK (amount_idr > 0),
    disbursed_on     date NOT NULL,
    provider_opd     text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS imports (
    import_ref          uuid PRIMARY KEY,
    filename            text NOT NULL,
    registered_by_opd   text NOT NULL,
    rows_total          integer NOT NULL DEFAULT 0,
    registered          integer NOT NULL DEFAULT 0,
    already_registered  integer NOT NULL DEFAULT 0,
    rejected            integer NOT NULL DEFAULT 0,
    possible_duplicates integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS import_errors (
    import_ref uuid NOT NULL REFERENCES imports,
    row_no     integer NOT NULL,
    field      text NOT NULL,
    reason     text NOT NULL
);
CREATE INDEX IF NOT EXISTS import_errors_ref ON import_errors (import_ref, row_no);

-- from clients.sql
-- OAuth2 clients of the token endpoint: one per agency application. Secrets are stored only as slow
-- salted hashes (scrypt); a revoked client gets no new token (issued tokens expire within minutes).
CREATE TABLE IF NOT EXISTS oauth_clients (
    client_id   text PRIMARY KEY,
    name        text NOT NULL,
    opd         text,
    scopes      text[] NOT NULL,
    secret_hash text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- from pii_audit.sql
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

