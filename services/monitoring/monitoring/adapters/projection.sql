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
CREATE TABLE IF NOT EXISTS courses (
    course_ref uuid PRIMARY KEY, organizer_opd text, field text, kecamatan_code text, starts_on date,
    ends_on date, sessions int, capacity int
);
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
