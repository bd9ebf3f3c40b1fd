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
-- Medians (projections/readmodel.py, adapters/readmodel_reads.py): each record of a median indicator carries the
-- bucket of its amount, two significant decimal digits with the sign and the number of digits (-1,234,567 ->
-- -712; 0 -> 0; 750,000 -> 675): ordering buckets orders amounts, and a bucket spans at most 10 % of its values.
-- The histograms count the records per bucket at the levels the dashboard reads (the regency, kecamatan, month,
-- kecamatan x month, every dimension); a median read finds the bucket holding the middle rank in a histogram and
-- reads only that bucket's records, in amount order, through the indexes below. The indicator names are those of
-- kind median_idr in domain/indicators.py.
-- (Checked first: this file runs at every start, and ALTER TABLE would lock the table even when it has the column.)
DO $$ BEGIN
IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
               AND table_name = 'rm_contrib' AND column_name = 'bucket') THEN
  ALTER TABLE rm_contrib ADD COLUMN bucket int GENERATED ALWAYS AS (
    CASE WHEN indicator <> 'revenue_change_median' OR amount IS NULL THEN NULL WHEN amount = 0 THEN 0
    ELSE (CASE WHEN amount < 0 THEN -1 ELSE 1 END)
         * (length(abs(amount)::text) * 100 + left(abs(amount)::text, 2)::int) END) STORED;
END IF;
END $$;
CREATE INDEX IF NOT EXISTS rm_contrib_median ON rm_contrib (indicator, bucket, amount) WHERE bucket IS NOT NULL;
CREATE INDEX IF NOT EXISTS rm_contrib_median_k ON rm_contrib (indicator, COALESCE(kecamatan_code, ''), bucket, amount)
    WHERE bucket IS NOT NULL;
CREATE INDEX IF NOT EXISTS rm_contrib_median_p ON rm_contrib (indicator, COALESCE(period, ''), bucket, amount)
    WHERE bucket IS NOT NULL;
CREATE INDEX IF NOT EXISTS rm_contrib_median_kp ON rm_contrib
    (indicator, COALESCE(kecamatan_code || '|' || period, ''), bucket, amount) WHERE bucket IS NOT NULL;
CREATE TABLE IF NOT EXISTS rm_hist (
    indicator text NOT NULL, kecamatan_code text, period text, opd text, field text, pekka_category text,
    age_band text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, period, opd, field, pekka_category, age_band, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_kp (
    indicator text NOT NULL, kecamatan_code text, period text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, period, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_k (
    indicator text NOT NULL, kecamatan_code text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_p (
    indicator text NOT NULL, period text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, period, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_all (
    indicator text NOT NULL, bucket int NOT NULL, n bigint NOT NULL, UNIQUE (indicator, bucket)
);
-- The coarse histograms (one significant digit: bucket / 10) of each level, walked first; then the fine buckets
-- inside the chosen coarse bucket are read by their bucket (the (indicator, bucket) indexes).
CREATE TABLE IF NOT EXISTS rm_hist_c (
    indicator text NOT NULL, kecamatan_code text, period text, opd text, field text, pekka_category text,
    age_band text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, period, opd, field, pekka_category, age_band, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_kp_c (
    indicator text NOT NULL, kecamatan_code text, period text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, period, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_k_c (
    indicator text NOT NULL, kecamatan_code text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, kecamatan_code, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_p_c (
    indicator text NOT NULL, period text, bucket int NOT NULL, n bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (indicator, period, bucket)
);
CREATE TABLE IF NOT EXISTS rm_hist_all_c (
    indicator text NOT NULL, bucket int NOT NULL, n bigint NOT NULL, UNIQUE (indicator, bucket)
);
CREATE INDEX IF NOT EXISTS rm_hist_bucket ON rm_hist (indicator, bucket);
CREATE INDEX IF NOT EXISTS rm_hist_kp_bucket ON rm_hist_kp (indicator, bucket);
CREATE INDEX IF NOT EXISTS rm_hist_k_bucket ON rm_hist_k (indicator, bucket);
CREATE INDEX IF NOT EXISTS rm_hist_p_bucket ON rm_hist_p (indicator, bucket);
-- One row once the histograms hold every stored record (read models built before them are filled once).
CREATE TABLE IF NOT EXISTS rm_hist_state (built_at timestamptz NOT NULL);
