-- The training service's tables as they stood before versioned migrations (commit 6cba04a created them with
-- IF NOT EXISTS at every start). Written the same way here so a database created then is adopted unchanged.

-- from schema.sql
-- Training service tables. Safe to run repeatedly (runs at every start under an advisory lock).

-- Replica of registered women from registry.events: refs, codes and bands only, nothing personal.
-- profile_at/profile_event_id order the profile updates (latest business fact wins, whatever the
-- arrival order); erasure keeps the ref so enrolments stay valid and counts remain.
CREATE TABLE IF NOT EXISTS women_replica (
    person_ref        uuid PRIMARY KEY,
    registered        boolean     NOT NULL DEFAULT false,
    kecamatan_code    text,
    age_band          text,
    pekka_category    text,
    profile_at        timestamptz,
    profile_event_id  uuid,
    erased            boolean     NOT NULL DEFAULT false,
    erased_on         date
);

CREATE TABLE IF NOT EXISTS courses (
    course_ref            uuid PRIMARY KEY,
    organizer_opd         text         NOT NULL,
    field                 text         NOT NULL,
    kecamatan_code        text         NOT NULL,
    title                 text         NOT NULL,
    starts_on             date         NOT NULL,
    ends_on               date         NOT NULL,
    sessions              integer      NOT NULL CHECK (sessions BETWEEN 1 AND 365),
    capacity              integer      NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    completion_threshold  numeric(4,3) NOT NULL CHECK (completion_threshold > 0 AND completion_threshold <= 1),
    created_at            timestamptz  NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on)
);
CREATE INDEX IF NOT EXISTS courses_listing ON courses (starts_on DESC, course_ref);

CREATE TABLE IF NOT EXISTS enrolments (
    course_ref       uuid        NOT NULL REFERENCES courses,
    person_ref       uuid        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('enrolled', 'completed', 'dropped')),
    enrolled_on      date        NOT NULL,
    completed_on     date,
    attendance_rate  numeric(5,4),
    certified        boolean,
    certificate_no   text UNIQUE,
    override_reason  text,
    dropped_on       date,
    drop_reason      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (course_ref, person_ref)
);
CREATE INDEX IF NOT EXISTS enrolments_person ON enrolments (person_ref);

CREATE TABLE IF NOT EXISTS attendance (
    course_ref   uuid        NOT NULL,
    person_ref   uuid        NOT NULL,
    session_no   integer     NOT NULL,
    present      boolean     NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (course_ref, person_ref, session_no),
    FOREIGN KEY (course_ref, person_ref) REFERENCES enrolments
);

CREATE TABLE IF NOT EXISTS placements (
    placement_ref     uuid PRIMARY KEY,
    person_ref        uuid        NOT NULL,
    course_ref        uuid REFERENCES courses,
    sector            text        NOT NULL,
    formal            boolean     NOT NULL,
    monthly_wage_idr  bigint      NOT NULL CHECK (monthly_wage_idr >= 0),
    placed_on         date        NOT NULL,
    recorded_by_opd   text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS placements_person ON placements (person_ref);

