-- This number belongs to the duplicates-and-merges migration developed alongside; it is a no-op here so the
-- numbering stays without gaps until that migration takes its place.
SELECT 1;
