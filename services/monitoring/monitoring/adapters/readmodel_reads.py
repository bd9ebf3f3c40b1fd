"""Reads of the maintained read models (``projections/readmodel.py``): an indicator's cells summed under the
filters, grouped by one dimension. Cost: the cells of that indicator the filters select (an index range on
indicator, kecamatan, month), never the history. Parameters: $1 kecamatan, $2 first month, $3 last month, $4 OPD,
$5 field, $6 PEKKA category, $7 age band (each NULL = any), $8 the indicator."""

from .indicator_sql import GROUP_COLUMN

_WHERE = """indicator = $8 AND ($1::text IS NULL OR kecamatan_code = $1) AND ($2::text IS NULL OR period >= $2)
  AND ($3::text IS NULL OR period <= $3) AND ($4::text IS NULL OR opd = $4) AND ($5::text IS NULL OR field = $5)
  AND ($6::text IS NULL OR pekka_category = $6) AND ($7::text IS NULL OR age_band = $7)"""

# Additive kinds (counts, ratios, Rupiah sums) from the cells; a group exists when it holds a record.
CELLS = """SELECT {group} AS key, sum(num)::bigint AS num, sum(n)::bigint AS den, sum(amount) AS total,
  NULL::float8 AS median FROM rm_cells WHERE """ + _WHERE + """
GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1 NULLS LAST"""

# Medians and the desa breakdown from the stored records (one per counted subject).
RECORDS = """SELECT {group} AS key, count(*) FILTER (WHERE num) AS num, count(*) AS den,
  sum(amount) FILTER (WHERE num) AS total,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE num) AS median
FROM rm_contrib WHERE """ + _WHERE + """
GROUP BY 1 ORDER BY 1 NULLS LAST"""


# Several additive indicators in one pass over their cells ($8: the indicators' names).
MANY = """SELECT indicator, {group} AS key, sum(num)::bigint AS num, sum(n)::bigint AS den, sum(amount) AS total,
  NULL::float8 AS median FROM rm_cells WHERE """ + _WHERE.replace("indicator = $8", "indicator = ANY($8::text[])") + """
GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2 NULLS LAST"""


def many_sql(group_by: str | None) -> str:
    """The read of several additive indicators at once, grouped by ``group_by`` (not ``desa``)."""
    return MANY.format(group=GROUP_COLUMN[group_by])


def indicator_sql(kind: str, group_by: str | None) -> str:
    """The read of one indicator of ``kind`` grouped by ``group_by`` (a key of ``GROUP_COLUMN``)."""
    from_records = kind == "median_idr" or group_by == "desa"
    return (RECORDS if from_records else CELLS).format(group=GROUP_COLUMN[group_by])


# The funnel from the cohort cells ('_funnel': field holds the four step flags). ``stock``: registered women who
# reached each step, each step counted on its own; ``cohort``: those who reached it and every step before it.
# $1 kecamatan, $2 first registration month, $3 last, $4 PEKKA category, $5 age band.
FUNNEL = """SELECT COALESCE(sum(n), 0)::bigint AS registered,
  COALESCE(sum(n) FILTER (WHERE substr(field, 1, 1) = '1'), 0)::bigint AS trained,
  COALESCE(sum(n) FILTER (WHERE substr(field, 2, 1) = '1'), 0)::bigint AS business,
  COALESCE(sum(n) FILTER (WHERE substr(field, 3, 1) = '1'), 0)::bigint AS market,
  COALESCE(sum(n) FILTER (WHERE substr(field, 4, 1) = '1'), 0)::bigint AS above_poverty_line,
  COALESCE(sum(n) FILTER (WHERE field LIKE '1%'), 0)::bigint AS c_trained,
  COALESCE(sum(n) FILTER (WHERE field LIKE '11%'), 0)::bigint AS c_business,
  COALESCE(sum(n) FILTER (WHERE field LIKE '111%'), 0)::bigint AS c_market,
  COALESCE(sum(n) FILTER (WHERE field = '1111'), 0)::bigint AS c_above_poverty_line
FROM rm_cells WHERE indicator = '_funnel' AND ($1::text IS NULL OR kecamatan_code = $1)
  AND ($2::text IS NULL OR period >= $2) AND ($3::text IS NULL OR period <= $3)
  AND ($4::text IS NULL OR pekka_category = $4) AND ($5::text IS NULL OR age_band = $5)"""
