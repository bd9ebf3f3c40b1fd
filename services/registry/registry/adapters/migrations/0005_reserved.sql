-- This number belongs to the name-search migration developed alongside; it is a no-op here so the numbering stays
-- without gaps until that migration takes its place.
SELECT 1;
