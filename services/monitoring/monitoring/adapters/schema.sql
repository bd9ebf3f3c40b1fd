-- Tables of the monitoring service outside the rebuildable projection schema.
CREATE TABLE IF NOT EXISTS targets (
    year int NOT NULL, kecamatan_code text NOT NULL, indicator text NOT NULL, target_value numeric NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, kecamatan_code, indicator)
);
CREATE TABLE IF NOT EXISTS published_indicators (
    indicator text NOT NULL, kecamatan_code text NOT NULL, period text NOT NULL, value double precision,
    suppressed boolean NOT NULL, published_at timestamptz NOT NULL,
    PRIMARY KEY (indicator, kecamatan_code, period)
);
