"""Reads of the maintained read models (``projections/readmodel.py``): an indicator's cells summed under the
filters, grouped by one dimension. Cost: the cells of that indicator the filters select (an index range on the
cell table's unique key, which starts with the indicator), never the history. A read filtered by neither OPD,
field, PEKKA category nor age band sums the kecamatan x month roll-up (or the desa roll-up for a desa breakdown);
otherwise the cells of every dimension. Parameters: $1 kecamatan, $2 first month, $3 last month, $4 OPD, $5 field,
$6 PEKKA category, $7 age band (each NULL = any), $8 the indicator (or, for ``many_sql``, the indicators)."""

from .indicator_sql import GROUP_COLUMN

_COMMON = """($1::text IS NULL OR kecamatan_code = $1) AND ($2::text IS NULL OR period >= $2)
  AND ($3::text IS NULL OR period <= $3)"""
_FINE = _COMMON + """ AND ($4::text IS NULL OR opd = $4) AND ($5::text IS NULL OR field = $5)
  AND ($6::text IS NULL OR pekka_category = $6) AND ($7::text IS NULL OR age_band = $7)"""
# Only chosen when $4..$7 are NULL; they stay in the text so every read takes the same parameters.
_ROLLUP = _COMMON + " AND $4::text IS NULL AND $5::text IS NULL AND $6::text IS NULL AND $7::text IS NULL"
_SUMS = "sum(num)::bigint AS num, sum(n)::bigint AS den, sum(amount) AS total, NULL::float8 AS median"

# Medians (and desa breakdowns under a fine filter) from the stored records: the fallback where no histogram has
# the dimension (a median by desa).
RECORDS = """SELECT {group} AS key, count(*) FILTER (WHERE num) AS num, count(*) AS den,
  sum(amount) FILTER (WHERE num) AS total,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE num) AS median
FROM rm_contrib WHERE indicator = $8 AND """ + _FINE + """
GROUP BY 1 ORDER BY 1 NULLS LAST"""

ROLLUP_GROUPS = (None, "kecamatan", "period", "kecamatan_period")


def _source(group_by: str | None, fine: bool) -> tuple[str, str]:
    if group_by == "desa":
        return ("rm_cells", _FINE) if fine else ("rm_cells_desa", _ROLLUP)
    if not fine and group_by in ROLLUP_GROUPS:
        return "rm_cells_kp", _ROLLUP
    return "rm_cells", _FINE


# A median from the value histograms (projections/readmodel.py HIST_TABLES), in two steps of bounded size. Per key,
# the coarse buckets (one significant digit) in amount order with the records before each; the middle ranks ((n+1)/2
# and (n+2)/2, 1-based: one rank when n is odd, the two middle ones when it is even, as percentile_cont(0.5)
# interpolates) fall in one or two coarse buckets (``m``: the rank within it). Then the fine buckets (two significant
# digits) inside each chosen coarse bucket only, at most ten, read by bucket, and the rank within the fine one
# (``mf``); that fine bucket's records are read in amount order (indexes rm_contrib_median*) and the two values
# averaged. Exact: the same value as percentile_cont(0.5) over every record, while the rows read stay the same
# however many records there are: at most nine coarse buckets per power of ten and sign, ten fine ones, and the
# records of one fine bucket (a span of at most 10 % of its values).
MEDIAN = """WITH h AS (SELECT {group} AS key, bucket, sum(n)::int AS n FROM {table}_c
  WHERE indicator = $8 AND {where} GROUP BY 1, 2),
c AS (SELECT key, bucket, n, sum(n) OVER (PARTITION BY key ORDER BY bucket) - n AS before,
  sum(n) OVER (PARTITION BY key) AS total FROM h),
m AS (SELECT DISTINCT key, bucket, r - before AS k FROM (
    SELECT key, bucket, n, before, unnest(ARRAY[(total + 1) / 2, (total + 2) / 2]) AS r FROM c
    WHERE before < (total + 2) / 2 AND before + n >= (total + 1) / 2) AS s
  WHERE r > before AND r <= before + n),
fh AS (SELECT {group} AS key, bucket, sum(n)::int AS n FROM {table}
  WHERE indicator = $8 AND {where} AND bucket = ANY(ARRAY(
    SELECT DISTINCT b FROM m, generate_series(least(m.bucket * 10, m.bucket * 10 + sign(m.bucket)::int * 9),
      greatest(m.bucket * 10, m.bucket * 10 + sign(m.bucket)::int * 9)) AS b))
  GROUP BY 1, 2),
f AS (SELECT m.key, m.k, fh.bucket, fh.n,
    sum(fh.n) OVER (PARTITION BY m.key, m.bucket, m.k ORDER BY fh.bucket) - fh.n AS before
  FROM m JOIN fh ON fh.key IS NOT DISTINCT FROM m.key AND fh.bucket / 10 = m.bucket),
mf AS (SELECT key, bucket, k - before AS k FROM f WHERE k > before AND k <= before + n)
SELECT mf.key, avg(x.amount)::float8 AS median FROM mf, LATERAL (
  SELECT amount FROM rm_contrib WHERE indicator = $8 AND bucket = mf.bucket
    AND COALESCE({group}, '') = COALESCE(mf.key, '') AND {fine}
  ORDER BY amount OFFSET mf.k - 1 LIMIT 1) AS x
GROUP BY mf.key"""
# The histograms by the dimensions they keep; $4..$7 (OPD, field, PEKKA, age) need the one of every dimension.
_HIST_WHERE = {
    "rm_hist_all": "$1::text IS NULL AND $2::text IS NULL AND $3::text IS NULL",
    "rm_hist_k": "($1::text IS NULL OR kecamatan_code = $1) AND $2::text IS NULL AND $3::text IS NULL",
    "rm_hist_p": "$1::text IS NULL AND ($2::text IS NULL OR period >= $2) AND ($3::text IS NULL OR period <= $3)",
    "rm_hist_kp": _COMMON,
}
_FINE_GROUPS = ("opd", "field", "pekka_category", "age_band")


def _histogram(group_by: str | None, kecamatan: bool, period: bool, fine: bool) -> tuple[str, str]:
    if fine or group_by in _FINE_GROUPS:
        return "rm_hist", _FINE
    k = kecamatan or group_by in ("kecamatan", "kecamatan_period")
    p = period or group_by in ("period", "kecamatan_period")
    table = "rm_hist_kp" if k and p else "rm_hist_k" if k else "rm_hist_p" if p else "rm_hist_all"
    rest = " AND $4::text IS NULL AND $5::text IS NULL AND $6::text IS NULL AND $7::text IS NULL"
    return table, _HIST_WHERE[table] + rest


def median_sql(group_by: str | None, *, kecamatan: bool, period: bool, fine: bool) -> str:
    """The read of one median indicator grouped by ``group_by``: its cells' counts and the median of each key.
    ``kecamatan`` / ``period`` / ``fine``: a kecamatan, a period bound, an OPD/field/PEKKA/age filter is set (they
    choose the histogram). By desa: from the records."""
    if group_by == "desa":
        return RECORDS.format(group=GROUP_COLUMN[group_by])
    table, where = _histogram(group_by, kecamatan, period, fine)
    cells, cells_where = _source(group_by, fine)
    counts = (f"SELECT {GROUP_COLUMN[group_by]} AS key, sum(num)::bigint AS num, sum(n)::bigint AS den,"
              f" sum(amount) AS total FROM {cells} WHERE indicator = $8 AND {cells_where} GROUP BY 1 HAVING sum(n) > 0")
    median = MEDIAN.format(group=GROUP_COLUMN[group_by], table=table, where=where, fine=_FINE)
    return (f"SELECT c.key, c.num, c.den, c.total, md.median FROM ({counts}) AS c"
            f" LEFT JOIN ({median}) AS md ON md.key IS NOT DISTINCT FROM c.key ORDER BY c.key NULLS LAST")


def indicator_sql(kind: str, group_by: str | None, fine: bool) -> str:
    """The read of one additive indicator of ``kind`` grouped by ``group_by`` (a key of ``GROUP_COLUMN``);
    ``fine``: an OPD, field, PEKKA or age filter is set. Medians: ``median_sql``."""
    if kind == "median_idr" or (group_by == "desa" and fine):
        return RECORDS.format(group=GROUP_COLUMN[group_by])
    table, where = _source(group_by, fine)
    return (f"SELECT {GROUP_COLUMN[group_by]} AS key, {_SUMS} FROM {table} WHERE indicator = $8 AND {where}"
            " GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1 NULLS LAST")


def many_sql(group_by: str | None, fine: bool) -> str:
    """The read of several additive indicators at once (``$8``: their names), grouped by ``group_by``."""
    table, where = _source(group_by, fine)
    return (f"SELECT indicator, {GROUP_COLUMN[group_by]} AS key, {_SUMS} FROM {table}"
            f" WHERE indicator = ANY($8::text[]) AND {where} GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2 NULLS LAST")


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
