"""Read models maintained as events arrive: every indicator's counted records (``rm_contrib``) and their sums per
cell (``rm_cells`` by every dimension; roll-ups ``rm_cells_kp`` by kecamatan x month and ``rm_cells_desa`` by
kecamatan x desa x month), so that a read costs in proportion to the cells it sums, not to the history.

How it stays equal to the definitions (``adapters/indicator_sql.py``, unchanged): a record of an indicator is a
row of its base query, counted at its subject's first occurrence. Every record has an **anchor**: the woman it
concerns, else (a cooperative's figures, capital to a cooperative) the first ref of its subject. After a batch's
facts are written, in the same transaction:

1. the batch's anchors are every ref its payloads carry, widened to the women whose records those refs shape (the
   participants of a course that was (re)scheduled, the owners of a business, the booth holders of a fair, the
   members of a cooperative, the recipients behind a disbursement);
2. their stored records are deleted and subtracted from their cells;
3. their records are recomputed from the facts by the indicator's own base query restricted to those anchors,
   stored, and added to their cells.

The result is a function of the facts alone (which are order-independent), so any interleaving of events gives
the same tables, and ``build`` (the whole history at once, used by the rebuild before its swap and when the read
models are first created) gives the same as any sequence of batches: ``tests/monitoring/test_readmodel.py``.
Medians are not additive: each median record's amount falls in a bucket (adapters/readmodel.sql), and value
histograms (records per bucket, ``HIST_TABLES``, coarse and fine) are maintained beside the cells by the same
statements; a median read walks a coarse histogram to the bucket of the middle rank, then that bucket's fine ones,
and reads only one fine bucket's records (exact). A desa
breakdown filtered by OPD, field, PEKKA category or age band, and a median by desa, read the stored records. The
funnel is a pseudo-indicator (``_funnel``): one record per registered woman with her four step flags. What this
costs: ``docs/scaling.md``.
"""

import re
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg
from berdaya_contracts import Event

from ..adapters.indicator_sql import _BASELINE, BASE_SQL, FIRST, merged
from ..domain.indicators import CATALOG

# The funnel's cohort record of each registered woman: her dimensions, her registration month, and in ``field``
# four flags, one per step beyond registration, '1' when she reached it (trained: a completion; business: owns a
# registered UKM; market: a booth, listing or sale; above: her latest assessment is not below GK).
FUNNEL_RECORDS = """SELECT w.kecamatan_code, to_char(w.registered_on, 'YYYY-MM') AS period, w.registered_by_opd AS opd,
  (EXISTS (SELECT 1 FROM completions c WHERE c.person_ref = w.person_ref))::int::text
  || (EXISTS (SELECT 1 FROM businesses b WHERE b.owner_person_ref = w.person_ref))::int::text
  || (EXISTS (SELECT 1 FROM booths x WHERE x.owner_person_ref = w.person_ref)
      OR EXISTS (SELECT 1 FROM listings x WHERE x.owner_person_ref = w.person_ref)
      OR EXISTS (SELECT 1 FROM sales x WHERE x.owner_person_ref = w.person_ref))::int::text
  || COALESCE((SELECT NOT a.below_poverty_line FROM assessments a WHERE a.person_ref = w.person_ref
               ORDER BY a.assessed_on DESC, a.assessment_ref DESC LIMIT 1), false)::int::text AS field,
  w.pekka_category, w.age_band, w.desa_code, w.person_ref::text AS subject, w.person_ref, true AS num,
  NULL::bigint AS amount
FROM women w WHERE w.registered_on IS NOT NULL"""
# The same records set-based, for ``build`` over the whole history (one pass per table instead of probes per woman);
# ``test_bulk_build_equals_maintenance_event_by_event`` holds the two forms equal.
FUNNEL_RECORDS_BULK = """SELECT w.kecamatan_code, to_char(w.registered_on, 'YYYY-MM') AS period, w.registered_by_opd AS opd,
  (t.person_ref IS NOT NULL)::int::text || (b.person_ref IS NOT NULL)::int::text
  || (m.person_ref IS NOT NULL)::int::text || COALESCE(NOT a.below_poverty_line, false)::int::text AS field,
  w.pekka_category, w.age_band, w.desa_code, w.person_ref::text AS subject, w.person_ref, true AS num,
  NULL::bigint AS amount
FROM women w
LEFT JOIN (SELECT DISTINCT person_ref FROM completions) t ON t.person_ref = w.person_ref
LEFT JOIN (SELECT DISTINCT owner_person_ref AS person_ref FROM businesses) b ON b.person_ref = w.person_ref
LEFT JOIN (SELECT owner_person_ref AS person_ref FROM booths UNION SELECT owner_person_ref FROM listings
           UNION SELECT owner_person_ref FROM sales) m ON m.person_ref = w.person_ref
LEFT JOIN (SELECT DISTINCT ON (person_ref) person_ref, below_poverty_line FROM assessments
           ORDER BY person_ref, assessed_on DESC, assessment_ref DESC) a ON a.person_ref = w.person_ref
WHERE w.registered_on IS NOT NULL"""
# The start-up records set-based, for ``build``: the definition (``_STARTUP`` in adapters/indicator_sql.py) probes
# the businesses once per trained woman in two EXISTS, which the merged view's COALESCE keeps from using an index
# (minutes over a 1M-event history); here one join of the trained women with their businesses, aggregated per woman.
# Equal to the definition: ``test_bulk_build_equals_maintenance_event_by_event``.
STARTUP_BULK = """WITH trained AS (SELECT person_ref, min(completed_on) AS first_done FROM completions GROUP BY person_ref),
owned AS (SELECT t.person_ref, bool_or(b.registered_on BETWEEN t.first_done AND t.first_done + 180) AS started,
  bool_or(b.registered_on < t.first_done) AS earlier
  FROM trained t JOIN businesses b ON b.owner_person_ref = t.person_ref GROUP BY t.person_ref)
SELECT w.kecamatan_code, to_char(t.first_done, 'YYYY-MM') AS period, NULL::text AS opd, NULL::text AS field,
  w.pekka_category, w.age_band, w.desa_code, t.person_ref::text AS subject, t.person_ref,
  COALESCE(o.started, false) AS num, NULL::bigint AS amount
FROM trained t LEFT JOIN owned o ON o.person_ref = t.person_ref LEFT JOIN women w ON w.person_ref = t.person_ref
WHERE NOT COALESCE(o.earlier, false)"""
# The poverty exit cohort likewise (``_POVERTY_COHORT``: an EXISTS probing every assessment per baseline).
POVERTY_COHORT_BULK = f"""WITH {_BASELINE},
later AS (SELECT DISTINCT b.person_ref FROM base b JOIN assessments a ON a.person_ref = b.person_ref
  WHERE a.assessment_ref <> b.assessment_ref AND a.assessed_on >= b.assessed_on AND NOT a.below_poverty_line
  AND a.assessed_on <= (b.assessed_on + interval '12 months')::date)
SELECT w.kecamatan_code, to_char(b.assessed_on, 'YYYY-MM') AS period, w.registered_by_opd AS opd,
  NULL::text AS field, w.pekka_category, w.age_band, w.desa_code, b.person_ref::text AS subject, b.person_ref,
  l.person_ref IS NOT NULL AS num, NULL::bigint AS amount
FROM base b LEFT JOIN later l ON l.person_ref = b.person_ref LEFT JOIN women w ON w.person_ref = b.person_ref
WHERE b.below_poverty_line"""
FUNNEL = "_funnel"
# Every query reads the facts through the ``_merged`` views (a retired record's facts count under her survivor), as
# the definitions do (BASE_SQL is already read so).
RECORD_SQL: dict[str, str] = {**BASE_SQL, FUNNEL: merged(FUNNEL_RECORDS)}
BULK_SQL: dict[str, str] = {**BASE_SQL, FUNNEL: merged(FUNNEL_RECORDS_BULK),
                            "business_startups": merged(STARTUP_BULK), "business_startup_rate": merged(STARTUP_BULK),
                            "poverty_exit_rate": merged(POVERTY_COHORT_BULK)}

# Where the restriction to the batch's anchors cannot reach the tables through the query (a person derived by
# COALESCE or CASE, a per-person subquery joined on another side), the restricted form narrows those tables first,
# to a superset of the rows the anchors' records are made of (whole businesses, whole recipients, whole women).
_ANCHORS = "$1::uuid[]"
NARROWED = {
    "FROM business_reports GROUP BY business_ref": (
        f"FROM business_reports WHERE business_ref = ANY({_ANCHORS}) OR business_ref = ANY(ARRAY("
        f"SELECT business_ref FROM business_reports WHERE owner_person_ref = ANY({_ANCHORS})"
        f" UNION SELECT business_ref FROM businesses WHERE owner_person_ref = ANY({_ANCHORS})))"
        " GROUP BY business_ref"),
    "FROM capital k": (
        f"FROM (SELECT * FROM capital WHERE recipient_ref = ANY({_ANCHORS}) OR disbursement_ref = ANY({_ANCHORS})"
        f" OR recipient_ref = ANY(ARRAY(SELECT business_ref FROM businesses WHERE owner_person_ref = ANY({_ANCHORS}))))"
        " k"),
    "WHERE is_baseline ORDER BY": f"WHERE is_baseline AND person_ref = ANY({_ANCHORS}) ORDER BY",
    # Every record's woman is its own person_ref, so her row is among the anchors' when the record is.
    "LEFT JOIN women w ON": f"LEFT JOIN (SELECT * FROM women WHERE person_ref = ANY({_ANCHORS})) w ON",
}
NARROWED = {merged(whole): merged(narrow) for whole, narrow in NARROWED.items()}  # the queries read the views

DIMS = "kecamatan_code, period, opd, field, pekka_category, age_band"
_COLUMNS = f"indicator, anchor, subject, {DIMS}, desa_code, num, amount"
# Indicators whose records may have no woman: anchored by their subject's first ref instead.
WITHOUT_WOMAN = ("coops_formed", "coops_rat_compliant", "capital_recipients", "capital_disbursed_idr",
                 "market_trade_fair", "market_modern_retail", "market_digital", "revenue_change_median")
# Rupiah sums count every record; every other indicator counts each subject once.
ALL_RECORDS = ("capital_disbursed_idr", "sales_trade_fair_idr", "sales_modern_retail_idr", "sales_digital_idr",
               "sales_total_idr")


def _narrowed(sql: str) -> str:
    for whole, narrow in NARROWED.items():
        sql = sql.replace(whole, narrow)
    return sql


def _records(name: str, where: str, *, bulk: bool = False) -> str:
    source = BULK_SQL[name] if bulk else _narrowed(RECORD_SQL[name])
    base = f"SELECT * FROM ({source}) AS r WHERE {where}"
    body = base if name in ALL_RECORDS else FIRST.format(base=base)
    return (f"SELECT '{name}'::text AS indicator,"
            f" COALESCE(person_ref, split_part(subject, '/', 1)::uuid) AS anchor, subject, {DIMS}, desa_code,"
            f" num::boolean AS num, amount FROM ({body}) AS y")


def _restricted(name: str) -> str:
    by_woman = _records(name, "person_ref = ANY($1::uuid[])")
    if name not in WITHOUT_WOMAN:
        return by_woman
    return by_woman + " UNION ALL " + _records(
        name, "person_ref IS NULL AND split_part(subject, '/', 1)::uuid = ANY($1::uuid[])")


# The cell tables and their dimensions: every dimension (any filter), and two roll-ups the dashboard reads most
# (kecamatan x month; kecamatan x desa x month), so that a regency or kecamatan read sums a few hundred cells per
# indicator whatever the number of OPD x field x PEKKA x age combinations.
CELL_TABLES = {"rm_cells": DIMS, "rm_cells_kp": "kecamatan_code, period",
               "rm_cells_desa": "kecamatan_code, desa_code, period"}


def _to_cells(table: str, dims: str, sign: str, source: str) -> str:
    return (f"INSERT INTO {table} AS c (indicator, {dims}, n, num, amount)"
            f" SELECT indicator, {dims}, {sign}count(*), {sign}count(*) FILTER (WHERE num),"
            f" {sign}COALESCE(sum(amount) FILTER (WHERE num), 0) FROM {source} GROUP BY indicator, {dims}"
            f" ON CONFLICT (indicator, {dims}) DO UPDATE SET n = c.n + EXCLUDED.n, num = c.num + EXCLUDED.num,"
            " amount = c.amount + EXCLUDED.amount")


# The value histograms of the median indicators (records per amount bucket, ``bucket`` of ``rm_contrib`` in
# adapters/readmodel.sql), at each level a median read may need; adapters/readmodel_reads.py picks the smallest.
# Each level twice: fine (two significant digits, ``bucket``) and coarse (one, ``bucket / 10``: at most nine buckets
# per power of ten and sign, however many records), so that a read walks the coarse one, then only the ten fine
# buckets inside the coarse bucket it chose.
HIST_LEVELS = {"rm_hist": DIMS, "rm_hist_kp": "kecamatan_code, period", "rm_hist_k": "kecamatan_code",
               "rm_hist_p": "period", "rm_hist_all": ""}
HIST_TABLES = {**HIST_LEVELS, **{f"{t}_c": d for t, d in HIST_LEVELS.items()}}


def coarse(table: str) -> bool:
    """True for a coarse histogram (its buckets are ``bucket / 10``)."""
    return table.endswith("_c")


def _to_hist(table: str, dims: str, sign: str, source: str) -> str:
    keys = f"indicator, {dims}" if dims else "indicator"
    value = "bucket / 10" if coarse(table) else "bucket"
    return (f"INSERT INTO {table} AS c ({keys}, bucket, n) SELECT {keys}, {value}, {sign}count(*) FROM {source}"
            f" WHERE num AND bucket IS NOT NULL GROUP BY {keys}, {value}"
            f" ON CONFLICT ({keys}, bucket) DO UPDATE SET n = c.n + EXCLUDED.n")


def _moved(records: str, sign: str, histograms: bool = True) -> str:
    """One statement: ``records`` (a data-modifying CTE named ``moved``) added to every cell table and (when
    ``histograms``: the records may be of a median indicator) value histogram with ``sign``."""
    tables = list(CELL_TABLES.items())
    ctes = [f"t{i} AS ({_to_cells(t, d, sign, 'moved')})" for i, (t, d) in enumerate(tables[1:])]
    if histograms:
        ctes += [f"h{i} AS ({_to_hist(t, d, sign, 'moved')})" for i, (t, d) in enumerate(HIST_TABLES.items())]
    return f"WITH moved AS ({records}), {', '.join(ctes)} {_to_cells(tables[0][0], tables[0][1], sign, 'moved')}"


FORGET = _moved("DELETE FROM rm_contrib WHERE anchor = ANY($1::uuid[]) AND indicator = ANY($2::text[]) RETURNING *",
                "-")
# The median indicators (domain/indicators.py, kind median_idr): the only records with a bucket (readmodel.sql).
MEDIANS = frozenset(i.name for i in CATALOG if i.kind == "median_idr")
RECOMPUTE = {name: _moved(f"INSERT INTO rm_contrib ({_COLUMNS}) {_restricted(name)} RETURNING *", "",
                          histograms=name in MEDIANS)
             for name in RECORD_SQL}

FACT_TABLES = ("women", "erasures", "assessments", "aid", "businesses", "business_reports", "coops",
               "coop_member_events", "coop_meetings", "capital", "courses", "enrolments", "completions", "dropouts",
               "placements", "fairs", "booths", "listings", "sales")
# The fact tables each indicator's records are computed from: a batch that wrote none of them leaves its records
# as they are, so it is neither forgotten nor recomputed.
READS: dict[str, frozenset[str]] = {
    name: frozenset(t for t in FACT_TABLES if re.search(rf"\b(FROM|JOIN)\s+{t}(_merged)?\b", sql))
    for name, sql in RECORD_SQL.items()}
_WRITES = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:\w+\.)?(\w+)", re.I)


def written_tables(statements: Iterable[str]) -> set[str] | None:
    """The fact tables a batch's statements write (INSERT, UPDATE, DELETE, anywhere in the statement), or None
    when a statement's target cannot be read (then every indicator is recomputed)."""
    out: set[str] = set()
    for sql in statements:
        found = {t for t in _WRITES.findall(sql) if t in FACT_TABLES}
        if not found and not re.match(r"\s*(SELECT|WITH)\b", sql, re.I):
            return None
        out |= found
    return out


# The women (and other anchors) whose records the refs of a batch shape, beyond the refs themselves.
# A retired record's facts count under her survivor, so the survivor is widened in too (and a survivor's retired
# records, whose stored records a merge or its undo moves).
WIDEN = """WITH w AS (SELECT unnest($1::uuid[]) AS a
UNION SELECT person_ref FROM enrolments WHERE course_ref = ANY($1::uuid[])
UNION SELECT person_ref FROM completions WHERE course_ref = ANY($1::uuid[])
UNION SELECT person_ref FROM dropouts WHERE course_ref = ANY($1::uuid[])
UNION SELECT person_ref FROM placements WHERE course_ref = ANY($1::uuid[])
UNION SELECT owner_person_ref FROM businesses WHERE business_ref = ANY($1::uuid[])
UNION SELECT owner_person_ref FROM booths WHERE business_ref = ANY($1::uuid[]) OR fair_ref = ANY($1::uuid[])
UNION SELECT business_ref FROM booths WHERE fair_ref = ANY($1::uuid[])
UNION SELECT owner_person_ref FROM listings WHERE business_ref = ANY($1::uuid[])
UNION SELECT owner_person_ref FROM sales WHERE business_ref = ANY($1::uuid[])
UNION SELECT person_ref FROM coop_member_events WHERE coop_ref = ANY($1::uuid[])
UNION SELECT disbursement_ref FROM capital WHERE recipient_ref = ANY($1::uuid[])
UNION SELECT recipient_ref FROM capital WHERE disbursement_ref = ANY($1::uuid[])
UNION SELECT b.owner_person_ref FROM capital k JOIN businesses b ON b.business_ref = k.recipient_ref
  WHERE k.disbursement_ref = ANY($1::uuid[]))
SELECT a FROM w
UNION SELECT m.person_ref FROM merged_refs m JOIN w ON m.retired_ref = w.a
UNION SELECT m.retired_ref FROM merged_refs m JOIN w ON m.person_ref = w.a"""


def _refs(value: Any, out: set[UUID]) -> None:
    if isinstance(value, UUID):
        out.add(value)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            _refs(v, out)


def refs_of(events: Iterable[Event]) -> list[UUID]:
    """Every ref (UUID-valued field, or list of them) the events' payloads carry: whatever an event is about."""
    out: set[UUID] = set()
    for event in events:
        payload = event.payload
        fields = payload.model_dump() if hasattr(payload, "model_dump") else dict(payload)
        for value in fields.values():
            _refs(value, out)
    return sorted(out)


# Held from a batch's maintenance to its commit, so that monitoring instances sharing a database (members of one
# consumer group) never recompute the same woman at once: the later one to take it sees the other's facts committed.
MAINTAIN_LOCK = 7_064_020_022


async def maintain(conn: asyncpg.Connection, refs: list[UUID], written: set[str] | None = None) -> list[str]:
    """Recompute the records of everything ``refs`` shape and move their cells (after the batch's facts are
    written, in its transaction, with ``search_path`` on the schema being written); ``written``: the fact tables
    the batch wrote (None: any), so that only the indicators computed from them are recomputed. Answers the
    indicators whose records were recomputed (the only ones whose cells may have moved; the live feed re-reads
    just those)."""
    names = [n for n in RECORD_SQL if written is None or READS[n] & written]
    if not refs or not names:
        return []
    await conn.execute("SELECT pg_advisory_xact_lock($1)", MAINTAIN_LOCK)
    anchors = [r["a"] for r in await conn.fetch(WIDEN, refs) if r["a"] is not None]
    await conn.execute(FORGET, anchors, names)
    for name in names:
        await conn.execute(RECOMPUTE[name], anchors)
    return names
