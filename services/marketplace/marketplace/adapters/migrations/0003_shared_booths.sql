-- Shared booths: a booth held by an OPD, a cooperative or an outlet (e.g. a PEKKA gerai) selling the products of
-- several women's businesses. `booths` keeps one row per business selling at a booth of a fair (its own or a
-- shared one), so several rows may now share a booth number; the domain (under the fair's row lock) keeps one
-- holder per booth number. A sale records the booth it was made at and who held it.

ALTER TABLE booths DROP CONSTRAINT IF EXISTS booths_fair_ref_booth_no_key;
CREATE INDEX IF NOT EXISTS booths_fair_booth ON booths (fair_ref, booth_no);

CREATE TABLE shared_booths (
    fair_ref     uuid NOT NULL REFERENCES fairs,
    booth_no     integer NOT NULL CHECK (booth_no > 0),
    holder_kind  text NOT NULL CHECK (holder_kind IN ('opd', 'coop', 'outlet')),
    holder_opd   text,
    holder_label text,
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (fair_ref, booth_no),
    CHECK ((holder_kind = 'opd') = (holder_opd IS NOT NULL)),
    CHECK ((holder_kind = 'opd') = (holder_label IS NULL))
);

ALTER TABLE sales ADD COLUMN booth_no integer;
ALTER TABLE sales ADD COLUMN booth_holder_kind text;
