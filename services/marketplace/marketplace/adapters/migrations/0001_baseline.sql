-- The marketplace service's tables as they stood before versioned migrations (commit 6cba04a created them with
-- IF NOT EXISTS at every start). Written the same way here so a database created then is adopted unchanged.

-- from schema.sql
-- Marketplace tables. Safe to run repeatedly.

-- Replica of registered businesses, fed from registry.events (nothing personal: refs, sector, kecamatan).
CREATE TABLE IF NOT EXISTS businesses_replica (
    business_ref     uuid PRIMARY KEY,
    owner_person_ref uuid,
    sector           text,
    kecamatan_code   text,
    registered       boolean NOT NULL DEFAULT false,
    profile_at       timestamptz,
    profile_event_id uuid
);
CREATE INDEX IF NOT EXISTS businesses_replica_owner ON businesses_replica (owner_person_ref);

CREATE TABLE IF NOT EXISTS fairs (
    fair_ref        uuid PRIMARY KEY,
    name            text NOT NULL,
    kecamatan_code  text,
    outside_kukar   boolean NOT NULL,
    location        text,
    starts_on       date NOT NULL,
    ends_on         date NOT NULL,
    booths          integer NOT NULL CHECK (booths > 0),
    recorded_by_opd text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS booths (
    fair_ref         uuid NOT NULL REFERENCES fairs,
    business_ref     uuid NOT NULL,
    owner_person_ref uuid NOT NULL,
    booth_no         integer NOT NULL,
    assigned_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (fair_ref, business_ref),
    UNIQUE (fair_ref, booth_no)
);

CREATE TABLE IF NOT EXISTS listings (
    product_ref      uuid PRIMARY KEY,
    business_ref     uuid NOT NULL,
    owner_person_ref uuid NOT NULL,
    channel          text NOT NULL,
    category         text NOT NULL,
    price_idr        bigint NOT NULL,
    listed_on        date NOT NULL,
    delisted_on      date
);
CREATE INDEX IF NOT EXISTS listings_business ON listings (business_ref);

CREATE TABLE IF NOT EXISTS sales (
    sale_ref         uuid PRIMARY KEY,
    business_ref     uuid NOT NULL,
    owner_person_ref uuid NOT NULL,
    channel          text NOT NULL,
    fair_ref         uuid REFERENCES fairs,
    amount_idr       bigint NOT NULL CHECK (amount_idr > 0),
    quantity         integer NOT NULL CHECK (quantity > 0),
    sold_on          date NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sales_business ON sales (business_ref);
CREATE INDEX IF NOT EXISTS sales_fair ON sales (fair_ref);

