-- The publication: what the public channels serve, made by releases at a fixed cadence (disclosure control).
-- pub_basis holds, per family of counted records, the records of each month frozen by a release (refs, codes
-- and bands only); pub_cells every cell of the public grid a release computed from them, exact value and status.
CREATE TABLE IF NOT EXISTS pub_releases (
    release_id serial PRIMARY KEY, made_at timestamptz NOT NULL DEFAULT now(), as_of date NOT NULL,
    frozen jsonb NOT NULL, cells int NOT NULL, withheld int NOT NULL, seconds real NOT NULL
);
CREATE TABLE IF NOT EXISTS pub_months (
    family text NOT NULL, month text NOT NULL, release_id int NOT NULL REFERENCES pub_releases,
    PRIMARY KEY (family, month)
);
CREATE TABLE IF NOT EXISTS pub_basis (
    family text NOT NULL, subject text NOT NULL, person_ref uuid, month text NOT NULL, kecamatan_code text,
    desa_code text, opd text, field text, age_band text, pekka_category text, core jsonb NOT NULL DEFAULT '{}',
    amount double precision, release_id int NOT NULL REFERENCES pub_releases,
    PRIMARY KEY (family, subject)
);
CREATE INDEX IF NOT EXISTS pub_basis_month ON pub_basis (family, month);
-- status: published | primary (tied to few people) | secondary (withheld to protect another) | design (never
-- shown: a flag's complement, or a ratio's part where the ratio is withheld)
CREATE TABLE IF NOT EXISTS pub_cells (
    indicator text NOT NULL, period text NOT NULL, dim text NOT NULL, key text NOT NULL,
    value double precision, denominator double precision, people int NOT NULL, status text NOT NULL,
    release_id int NOT NULL REFERENCES pub_releases,
    PRIMARY KEY (indicator, period, dim, key)
);
CREATE INDEX IF NOT EXISTS pub_cells_release ON pub_cells (release_id);
