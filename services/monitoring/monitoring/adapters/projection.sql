-- Fact tables of the projections, created in a schema named by the caller (proj, or proj_shadow
-- during a rebuild). Every row is keyed by the refs of the event it came from, so applying the same
-- events in any order, or twice, gives the same rows. Indicators are aggregated from these at query time.
CREATE TABLE IF NOT EXISTS women (
    person_ref uuid PRIMARY KEY,
    kecamatan_code text, desa_code text, age_band text, pekka_category text, household_size int,
    profile_version text NOT NULL DEFAULT '',
    registered_by_opd text, registered_on date
);
CREATE INDEX IF NOT EXISTS women_kec ON women (kecamatan_code);
CREATE TABLE IF NOT EXISTS erasures (person_ref uuid PRIMARY KEY, erased_on date);
CREATE TABLE IF NOT EXISTS assessments (
    assessment_ref uuid PRIMARY KEY, person_ref uuid NOT NULL, assessed_on date NOT NULL,
    household_size int, per_capita_income_idr bigint, poverty_line_idr bigint,
    below_poverty_line boolean NOT NULL, is_baseline boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS assessments_person ON assessments (person_ref, assessed_on);
CREATE TABLE IF NOT EXISTS aid (
    aid_ref uuid PRIMARY KEY, person_ref uuid NOT NULL, kind text NOT NULL, provider_opd text, provided_on date
);
CREATE TABLE IF NOT EXISTS businesses (
    business_ref uuid PRIMARY KEY, owner_person_ref uuid NOT NULL, sector text, kecamatan_code text,
    has_nib boolean, has_pirt boolean, has_halal boolean, started_on date, registered_on date
);
CREATE INDEX IF NOT EXISTS businesses_owner ON businesses (owner_person_ref);
CREATE TABLE IF NOT EXISTS business_reports (
    business_ref uuid NOT NULL, period text NOT NULL, owner_person_ref uuid, monthly_revenue_idr bigint,
    workers int, has_nib boolean, has_pirt boolean, has_halal boolean, event_id uuid NOT NULL,
    PRIMARY KEY (business_ref, period)
);
CREATE TABLE IF NOT EXISTS coops (
    coop_ref uuid PRIMARY KEY, kecamatan_code text, kind text, formed_on date, has_legal_entity boolean
);
CREATE TABLE IF NOT EXISTS coop_member_events (
    coop_ref uuid NOT NULL, person_ref uuid NOT NULL, happened_on date NOT NULL, kind text NOT NULL,
    PRIMARY KEY (coop_ref, person_ref, happened_on, kind)
);
CREATE TABLE IF NOT EXISTS coop_meetings (coop_ref uuid NOT NULL, fiscal_year int NOT NULL, held_on date,
    PRIMARY KEY (coop_ref, fiscal_year));
CREATE TABLE IF NOT EXISTS capital (
    disbursement_ref uuid PRIMARY KEY, recipient_type text NOT NULL, recipient_ref uuid NOT NULL, source text,
    amount_idr bigint NOT NULL, disbursed_on date NOT NULL
);
-- dates_as_of, dates_event: the event whose dates and capacity the row holds (CourseScheduled or the latest
-- CourseRescheduled): the later by occurred_at wins (projections/training.py).
CREATE TABLE IF NOT EXISTS courses (
    course_ref uuid PRIMARY KEY, organizer_opd text, field text, kecamatan_code text, starts_on date,
    ends_on date, sessions int, capacity int, dates_as_of timestamptz, dates_event uuid
);
-- A live schema made before CourseRescheduled existed gets the two columns in place (its rows: NULL, so the
-- first event about each course that arrives sets them).
ALTER TABLE courses ADD COLUMN IF NOT EXISTS dates_as_of timestamptz;
ALTER TABLE courses ADD COLUMN IF NOT EXISTS dates_event uuid;
CREATE TABLE IF NOT EXISTS enrolments (course_ref uuid NOT NULL, person_ref uuid NOT NULL, enrolled_on date,
    PRIMARY KEY (course_ref, person_ref));
CREATE TABLE IF NOT EXISTS completions (course_ref uuid NOT NULL, person_ref uuid NOT NULL, completed_on date,
    attendance_rate real, certified boolean, PRIMARY KEY (course_ref, person_ref));
CREATE INDEX IF NOT EXISTS completions_person ON completions (person_ref);
CREATE TABLE IF NOT EXISTS dropouts (course_ref uuid NOT NULL, person_ref uuid NOT NULL, dropped_on date,
    reason text, PRIMARY KEY (course_ref, person_ref));
CREATE TABLE IF NOT EXISTS placements (
    placement_ref uuid PRIMARY KEY, person_ref uuid NOT NULL, course_ref uuid, sector text, formal boolean,
    monthly_wage_idr bigint, placed_on date
);
CREATE TABLE IF NOT EXISTS fairs (fair_ref uuid PRIMARY KEY, kecamatan_code text, outside_kukar boolean,
    starts_on date, ends_on date);
CREATE TABLE IF NOT EXISTS booths (fair_ref uuid NOT NULL, business_ref uuid NOT NULL, owner_person_ref uuid,
    PRIMARY KEY (fair_ref, business_ref));
CREATE TABLE IF NOT EXISTS listings (
    product_ref uuid PRIMARY KEY, business_ref uuid, owner_person_ref uuid, channel text, category text,
    price_idr bigint, listed_on date, delisted_on date
);
CREATE TABLE IF NOT EXISTS sales (
    sale_ref uuid PRIMARY KEY, business_ref uuid, owner_person_ref uuid NOT NULL, channel text NOT NULL,
    fair_ref uuid, amount_idr bigint NOT NULL, quantity int, sold_on date NOT NULL
);
CREATE INDEX IF NOT EXISTS sales_owner ON sales (owner_person_ref);

-- Each fact table that names a woman is found by her ref (the merge views' arms and the indicators' EXISTS).
CREATE INDEX IF NOT EXISTS aid_person ON aid (person_ref);
CREATE INDEX IF NOT EXISTS business_reports_owner ON business_reports (owner_person_ref);
CREATE INDEX IF NOT EXISTS coop_member_events_person ON coop_member_events (person_ref);
CREATE INDEX IF NOT EXISTS capital_recipient ON capital (recipient_ref);
CREATE INDEX IF NOT EXISTS enrolments_person ON enrolments (person_ref);
CREATE INDEX IF NOT EXISTS dropouts_person ON dropouts (person_ref);
CREATE INDEX IF NOT EXISTS placements_person ON placements (person_ref);
CREATE INDEX IF NOT EXISTS booths_owner ON booths (owner_person_ref);
CREATE INDEX IF NOT EXISTS listings_owner ON listings (owner_person_ref);

-- Merges of two records of one woman (registry.WomenMerged / WomenUnmerged, one row per merge_ref whichever
-- arrives first). Facts stay keyed by the refs they were recorded under; the *_merged views below show them under
-- the ref each counts for now, and the indicators read those views (indicator_sql.py), so a merge, a late event
-- about a retired ref and an undo all give the same figures in any arrival order and after a rebuild. Each view is
-- two arms, rows of refs in no merge (under their own ref) UNION ALL rows of retired refs (under the survivor), so
-- that a condition on the ref reaches the fact table's index in each arm (a COALESCE over a LEFT JOIN would hide
-- it and turn every "EXISTS ... WHERE person_ref = w.person_ref" into a scan of the whole table).
CREATE TABLE IF NOT EXISTS merges (merge_ref uuid PRIMARY KEY, retired_ref uuid NOT NULL, surviving_ref uuid NOT NULL,
    merged_on date, unmerged_on date);
-- Each retired ref of a merge in force -> the ref it counts for now (a survivor retired later: followed to the end).
CREATE OR REPLACE VIEW merged_refs AS
WITH RECURSIVE m AS (SELECT retired_ref, surviving_ref FROM merges WHERE merged_on IS NOT NULL AND unmerged_on IS NULL),
chain (retired_ref, person_ref, depth) AS (
    SELECT retired_ref, surviving_ref, 1 FROM m
    UNION ALL SELECT c.retired_ref, m.surviving_ref, c.depth + 1 FROM chain c JOIN m ON m.retired_ref = c.person_ref
    WHERE c.depth < 64)
SELECT DISTINCT ON (retired_ref) retired_ref, person_ref FROM chain ORDER BY retired_ref, depth DESC;
-- One row per woman: a retired record is not a woman of her own; the survivor has been in the program since the
-- earliest registration of her records (date, then the OPD of that registration).
CREATE OR REPLACE VIEW women_merged AS
SELECT w.person_ref, w.kecamatan_code, w.desa_code, w.age_band, w.pekka_category, w.household_size,
    w.profile_version,
    CASE WHEN e.registered_on < w.registered_on OR w.registered_on IS NULL THEN e.registered_by_opd
         ELSE w.registered_by_opd END AS registered_by_opd,
    CASE WHEN e.registered_on < w.registered_on OR w.registered_on IS NULL THEN e.registered_on
         ELSE w.registered_on END AS registered_on
FROM women w
LEFT JOIN (SELECT DISTINCT ON (m.person_ref) m.person_ref, o.registered_on, o.registered_by_opd
           FROM merged_refs m JOIN women o ON o.person_ref = m.retired_ref WHERE o.registered_on IS NOT NULL
           ORDER BY m.person_ref, o.registered_on, o.person_ref) e ON e.person_ref = w.person_ref
WHERE NOT EXISTS (SELECT 1 FROM merged_refs r WHERE r.retired_ref = w.person_ref);
-- Two baselines: both rows stay; the indicators take the earliest (assessed_on, assessment_ref) as her baseline
-- and the other as an ordinary assessment, the registry's rule.
CREATE OR REPLACE VIEW assessments_merged AS
SELECT x.assessment_ref, x.person_ref, x.assessed_on, x.household_size,
    x.per_capita_income_idr, x.poverty_line_idr, x.below_poverty_line, x.is_baseline
FROM assessments x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.person_ref)
UNION ALL SELECT x.assessment_ref, m.person_ref AS person_ref, x.assessed_on, x.household_size,
    x.per_capita_income_idr, x.poverty_line_idr, x.below_poverty_line, x.is_baseline
FROM assessments x JOIN merged_refs m ON m.retired_ref = x.person_ref;
CREATE OR REPLACE VIEW aid_merged AS
SELECT x.aid_ref, x.person_ref, x.kind, x.provider_opd, x.provided_on
FROM aid x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.person_ref)
UNION ALL SELECT x.aid_ref, m.person_ref AS person_ref, x.kind, x.provider_opd, x.provided_on
FROM aid x JOIN merged_refs m ON m.retired_ref = x.person_ref;
CREATE OR REPLACE VIEW businesses_merged AS
SELECT x.business_ref, x.owner_person_ref, x.sector, x.kecamatan_code,
    x.has_nib, x.has_pirt, x.has_halal, x.started_on, x.registered_on
FROM businesses x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.owner_person_ref)
UNION ALL SELECT x.business_ref, m.person_ref AS owner_person_ref, x.sector, x.kecamatan_code,
    x.has_nib, x.has_pirt, x.has_halal, x.started_on, x.registered_on
FROM businesses x JOIN merged_refs m ON m.retired_ref = x.owner_person_ref;
CREATE OR REPLACE VIEW business_reports_merged AS
SELECT x.business_ref, x.period, x.owner_person_ref,
    x.monthly_revenue_idr, x.workers, x.has_nib, x.has_pirt, x.has_halal, x.event_id
FROM business_reports x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.owner_person_ref)
UNION ALL SELECT x.business_ref, x.period, m.person_ref AS owner_person_ref,
    x.monthly_revenue_idr, x.workers, x.has_nib, x.has_pirt, x.has_halal, x.event_id
FROM business_reports x JOIN merged_refs m ON m.retired_ref = x.owner_person_ref;
CREATE OR REPLACE VIEW coop_member_events_merged AS
SELECT x.coop_ref, x.person_ref, x.happened_on, x.kind
FROM coop_member_events x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.person_ref)
UNION ALL SELECT x.coop_ref, m.person_ref AS person_ref, x.happened_on, x.kind
FROM coop_member_events x JOIN merged_refs m ON m.retired_ref = x.person_ref;
CREATE OR REPLACE VIEW capital_merged AS
SELECT x.disbursement_ref, x.recipient_type, x.recipient_ref, x.source, x.amount_idr, x.disbursed_on
FROM capital x WHERE x.recipient_type <> 'woman'
    OR NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.recipient_ref)
UNION ALL SELECT x.disbursement_ref, x.recipient_type, m.person_ref AS recipient_ref, x.source, x.amount_idr,
    x.disbursed_on
FROM capital x JOIN merged_refs m ON x.recipient_type = 'woman' AND m.retired_ref = x.recipient_ref;
CREATE OR REPLACE VIEW enrolments_merged AS
SELECT x.course_ref, x.person_ref, x.enrolled_on
FROM enrolments x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.person_ref)
UNION ALL SELECT x.course_ref, m.person_ref AS person_ref, x.enrolled_on
FROM enrolments x JOIN merged_refs m ON m.retired_ref = x.person_ref;
CREATE OR REPLACE VIEW completions_merged AS
SELECT x.course_ref, x.person_ref, x.completed_on, x.attendance_rate,
    x.certified
FROM completions x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.person_ref)
UNION ALL SELECT x.course_ref, m.person_ref AS person_ref, x.completed_on, x.attendance_rate,
    x.certified
FROM completions x JOIN merged_refs m ON m.retired_ref = x.person_ref;
-- Overlapping enrolments (both records in one course): she holds one seat, the one furthest along (training's rule);
-- a drop-out of one record while her other record's enrolment in the course goes on is no drop-out of hers.
CREATE OR REPLACE VIEW dropouts_merged AS
SELECT x.course_ref, x.person_ref, x.dropped_on, x.reason
FROM dropouts x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.person_ref)
    AND NOT EXISTS (
    SELECT 1 FROM enrolments e LEFT JOIN merged_refs me ON me.retired_ref = e.person_ref
    WHERE e.course_ref = x.course_ref AND e.person_ref <> x.person_ref
      AND COALESCE(me.person_ref, e.person_ref) = x.person_ref
      AND NOT EXISTS (SELECT 1 FROM dropouts d WHERE d.course_ref = e.course_ref AND d.person_ref = e.person_ref))
UNION ALL SELECT x.course_ref, m.person_ref, x.dropped_on, x.reason
FROM dropouts x JOIN merged_refs m ON m.retired_ref = x.person_ref
WHERE NOT EXISTS (
    SELECT 1 FROM enrolments e LEFT JOIN merged_refs me ON me.retired_ref = e.person_ref
    WHERE e.course_ref = x.course_ref AND e.person_ref <> x.person_ref
      AND COALESCE(me.person_ref, e.person_ref) = m.person_ref
      AND NOT EXISTS (SELECT 1 FROM dropouts d WHERE d.course_ref = e.course_ref AND d.person_ref = e.person_ref));
CREATE OR REPLACE VIEW placements_merged AS
SELECT x.placement_ref, x.person_ref, x.course_ref, x.sector, x.formal,
    x.monthly_wage_idr, x.placed_on
FROM placements x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.person_ref)
UNION ALL SELECT x.placement_ref, m.person_ref AS person_ref, x.course_ref, x.sector, x.formal,
    x.monthly_wage_idr, x.placed_on
FROM placements x JOIN merged_refs m ON m.retired_ref = x.person_ref;
CREATE OR REPLACE VIEW booths_merged AS
SELECT x.fair_ref, x.business_ref, x.owner_person_ref
FROM booths x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.owner_person_ref)
UNION ALL SELECT x.fair_ref, x.business_ref, m.person_ref AS owner_person_ref
FROM booths x JOIN merged_refs m ON m.retired_ref = x.owner_person_ref;
CREATE OR REPLACE VIEW listings_merged AS
SELECT x.product_ref, x.business_ref, x.owner_person_ref, x.channel,
    x.category, x.price_idr, x.listed_on, x.delisted_on
FROM listings x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.owner_person_ref)
UNION ALL SELECT x.product_ref, x.business_ref, m.person_ref AS owner_person_ref, x.channel,
    x.category, x.price_idr, x.listed_on, x.delisted_on
FROM listings x JOIN merged_refs m ON m.retired_ref = x.owner_person_ref;
CREATE OR REPLACE VIEW sales_merged AS
SELECT x.sale_ref, x.business_ref, x.owner_person_ref, x.channel,
    x.fair_ref, x.amount_idr, x.quantity, x.sold_on
FROM sales x WHERE NOT EXISTS (SELECT 1 FROM merged_refs m WHERE m.retired_ref = x.owner_person_ref)
UNION ALL SELECT x.sale_ref, x.business_ref, m.person_ref AS owner_person_ref, x.channel,
    x.fair_ref, x.amount_idr, x.quantity, x.sold_on
FROM sales x JOIN merged_refs m ON m.retired_ref = x.owner_person_ref;
