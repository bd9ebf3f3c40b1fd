-- Each woman's journey across OPDs, read from training.events and marketplace.events (never from another service's
-- database): courses and their outcome, job placements, fair booths, listings and sales. Refs, codes, dates and
-- amounts only, like the events themselves.

CREATE TABLE IF NOT EXISTS journey_courses (
    course_ref     uuid PRIMARY KEY,
    organizer_opd  text NOT NULL,
    field          text NOT NULL,
    kecamatan_code text NOT NULL,
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    sessions       integer NOT NULL,
    capacity       integer NOT NULL
);

-- One row per woman and course; status moves enrolled -> completed | dropped and never back (a late or replayed
-- ParticipantEnrolled does not undo an outcome).
CREATE TABLE IF NOT EXISTS journey_enrolments (
    course_ref      uuid NOT NULL,
    person_ref      uuid NOT NULL,
    status          text NOT NULL CHECK (status IN ('enrolled', 'completed', 'dropped')),
    enrolled_on     date,
    completed_on    date,
    attendance_rate numeric(5, 4),
    certified       boolean,
    dropped_on      date,
    drop_reason     text,
    PRIMARY KEY (course_ref, person_ref)
);
CREATE INDEX IF NOT EXISTS journey_enrolments_person ON journey_enrolments (person_ref);

CREATE TABLE IF NOT EXISTS journey_placements (
    placement_ref    uuid PRIMARY KEY,
    person_ref       uuid NOT NULL,
    course_ref       uuid,
    sector           text NOT NULL,
    formal           boolean NOT NULL,
    monthly_wage_idr bigint NOT NULL,
    placed_on        date NOT NULL
);
CREATE INDEX IF NOT EXISTS journey_placements_person ON journey_placements (person_ref);

-- Booths, listings and sales of her businesses: key is the event's own ref (booth: fair and business).
CREATE TABLE IF NOT EXISTS journey_market (
    market_key   text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('booth', 'listing', 'sale')),
    person_ref   uuid NOT NULL,
    business_ref uuid NOT NULL,
    fair_ref     uuid,
    channel      text,
    amount_idr   bigint,
    quantity     integer,
    on_date      date
);
CREATE INDEX IF NOT EXISTS journey_market_person ON journey_market (person_ref);

-- "Belum terjangkau": each woman's latest assessment, found by index.
CREATE INDEX IF NOT EXISTS welfare_latest ON welfare_assessments (person_ref, assessed_on DESC, created_at DESC);
CREATE INDEX IF NOT EXISTS capital_recipient ON capital_disbursements (recipient_ref);
CREATE INDEX IF NOT EXISTS coop_memberships_person ON coop_memberships (person_ref);
