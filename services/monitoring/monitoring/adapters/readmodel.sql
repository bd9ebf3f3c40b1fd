-- Read models maintained as events arrive (projections/readmodel.py), in the same schema as the facts.
-- contrib: each indicator's counted records (a subject at its first occurrence; every record of a Rupiah sum),
-- with the cell it falls in and its anchor (the woman it concerns, else the cooperative, business or
-- disbursement); cells: per (indicator, kecamatan, month, OPD, field, PEKKA category, age band) the number of
-- records, of those counting toward the numerator, and their Rupiah sum. A read sums cells.
CREATE TABLE IF NOT EXISTS rm_contrib (
    indicator text NOT NULL, anchor uuid NOT NULL, subject text NOT NULL,
    kecamatan_code text, period text, opd text, field text, pekka_category text, age_band text, desa_code text,
    num boolean, amount bigint
);
CREATE INDEX IF NOT EXISTS rm_contrib_anchor ON rm_contrib (anchor);
CREATE INDEX IF NOT EXISTS rm_contrib_indicator ON rm_contrib (indicator, kecamatan_code, period);
CREATE TABLE IF NOT EXISTS rm_cells (
    indicator text NOT NULL, kecamatan_code text, period text, opd text, field text, pekka_category text,
    age_band text, n bigint NOT NULL, num bigint NOT NULL, amount numeric NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, period, opd, field, pekka_category, age_band)
);
-- Roll-ups of the same records: kecamatan x month, and kecamatan x desa x month.
CREATE TABLE IF NOT EXISTS rm_cells_kp (
    indicator text NOT NULL, kecamatan_code text, period text, n bigint NOT NULL, num bigint NOT NULL,
    amount numeric NOT NULL, UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, period)
);
CREATE TABLE IF NOT EXISTS rm_cells_desa (
    indicator text NOT NULL, kecamatan_code text, desa_code text, period text, n bigint NOT NULL,
    num bigint NOT NULL, amount numeric NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, desa_code, period)
);
-- One row once the read models hold the whole history of the facts beside them.
CREATE TABLE IF NOT EXISTS rm_state (built_at timestamptz NOT NULL);
-- Lookups by person, so that recomputing the records of the women a batch touched reads only their rows.
CREATE INDEX IF NOT EXISTS enrolments_person ON enrolments (person_ref);
CREATE INDEX IF NOT EXISTS dropouts_person ON dropouts (person_ref);
CREATE INDEX IF NOT EXISTS placements_person ON placements (person_ref);
CREATE INDEX IF NOT EXISTS placements_course ON placements (course_ref);
CREATE INDEX IF NOT EXISTS aid_person ON aid (person_ref);
CREATE INDEX IF NOT EXISTS booths_owner ON booths (owner_person_ref);
CREATE INDEX IF NOT EXISTS booths_business ON booths (business_ref);
CREATE INDEX IF NOT EXISTS listings_owner ON listings (owner_person_ref);
CREATE INDEX IF NOT EXISTS listings_business ON listings (business_ref);
CREATE INDEX IF NOT EXISTS sales_business ON sales (business_ref);
CREATE INDEX IF NOT EXISTS coop_member_events_person ON coop_member_events (person_ref);
CREATE INDEX IF NOT EXISTS capital_recipient ON capital (recipient_ref);
CREATE INDEX IF NOT EXISTS business_reports_owner ON business_reports (owner_person_ref);
