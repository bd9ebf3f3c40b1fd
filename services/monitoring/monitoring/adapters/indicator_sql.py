"""Each indicator as one SELECT over the fact tables, in a common shape the aggregator groups and filters:

kecamatan_code, period (YYYY-MM), opd, field, pekka_category, age_band — the dimensions;
subject (what is counted), person_ref (whose cell it is, for suppression), num (counts toward the
numerator), amount (Rupiah). Queries run with search_path set to the live projection schema.
"""

M = "to_char({}, 'YYYY-MM')"
W = "w.pekka_category, w.age_band, w.desa_code"


def _m(col: str) -> str:
    return M.format(col)


_WOMEN = f"""SELECT w.kecamatan_code, {_m('w.registered_on')} AS period, w.registered_by_opd AS opd, NULL::text AS field,
  {W}, w.person_ref::text AS subject, w.person_ref, {{num}} AS num, NULL::bigint AS amount
  FROM women w WHERE w.registered_on IS NOT NULL"""

_COURSE_FACT = f"""SELECT COALESCE(w.kecamatan_code, c.kecamatan_code) AS kecamatan_code, {{period}} AS period,
  c.organizer_opd AS opd, c.field, {W}, x.course_ref::text || '/' || x.person_ref::text AS subject, x.person_ref,
  {{num}} AS num, NULL::bigint AS amount
  FROM {{table}} x LEFT JOIN courses c ON c.course_ref = x.course_ref LEFT JOIN women w ON w.person_ref = x.person_ref"""

_STARTUP = f"""WITH trained AS (SELECT person_ref, min(completed_on) AS first_done FROM completions GROUP BY person_ref)
SELECT w.kecamatan_code, {_m('t.first_done')} AS period, NULL::text AS opd, NULL::text AS field, {W},
  t.person_ref::text AS subject, t.person_ref,
  EXISTS (SELECT 1 FROM businesses b WHERE b.owner_person_ref = t.person_ref
          AND b.registered_on BETWEEN t.first_done AND t.first_done + 180) AS num, NULL::bigint AS amount
FROM trained t LEFT JOIN women w ON w.person_ref = t.person_ref
WHERE NOT EXISTS (SELECT 1 FROM businesses b WHERE b.owner_person_ref = t.person_ref
                  AND b.registered_on < t.first_done)"""

_LEGAL = f"""SELECT COALESCE(b.kecamatan_code, w.kecamatan_code) AS kecamatan_code, {_m('b.registered_on')} AS period,
  NULL::text AS opd, b.sector AS field, {W}, b.business_ref::text AS subject, b.owner_person_ref AS person_ref,
  {{num}} AS num, NULL::bigint AS amount
FROM businesses b LEFT JOIN women w ON w.person_ref = b.owner_person_ref
LEFT JOIN LATERAL (SELECT * FROM business_reports r WHERE r.business_ref = b.business_ref
                   ORDER BY r.period DESC LIMIT 1) r ON true"""

_REVENUE = f"""WITH per AS (
  SELECT business_ref, (array_agg(owner_person_ref ORDER BY period DESC))[1] AS owner,
         (array_agg(monthly_revenue_idr ORDER BY period))[1] AS first_rev,
         (array_agg(monthly_revenue_idr ORDER BY period DESC))[1] AS last_rev, max(period) AS last_period
  FROM business_reports GROUP BY business_ref HAVING count(*) >= 2)
SELECT COALESCE(b.kecamatan_code, w.kecamatan_code) AS kecamatan_code, p.last_period AS period, NULL::text AS opd,
  b.sector AS field, {W}, p.business_ref::text AS subject, COALESCE(b.owner_person_ref, p.owner) AS person_ref,
  true AS num, p.last_rev - p.first_rev AS amount
FROM per p LEFT JOIN businesses b ON b.business_ref = p.business_ref
LEFT JOIN women w ON w.person_ref = COALESCE(b.owner_person_ref, p.owner)"""

_MEMBERS = f"""WITH last AS (
  SELECT DISTINCT ON (coop_ref, person_ref) coop_ref, person_ref, kind, happened_on FROM coop_member_events
  ORDER BY coop_ref, person_ref, happened_on DESC, kind DESC)
SELECT COALESCE(c.kecamatan_code, w.kecamatan_code) AS kecamatan_code, {_m('l.happened_on')} AS period,
  NULL::text AS opd, c.kind AS field, {W}, l.person_ref::text AS subject, l.person_ref, true AS num,
  NULL::bigint AS amount
FROM last l LEFT JOIN coops c ON c.coop_ref = l.coop_ref LEFT JOIN women w ON w.person_ref = l.person_ref
WHERE l.kind = 'join'"""

_CAPITAL = f"""SELECT COALESCE(w.kecamatan_code, b.kecamatan_code, c.kecamatan_code) AS kecamatan_code,
  {_m('k.disbursed_on')} AS period,
  CASE WHEN k.source = 'dp3a_grant' THEN 'dp3a' WHEN k.source IN ('diskop_grant', 'coop_loan') THEN 'diskop_ukm' END
    AS opd, k.source AS field, {W}, k.recipient_ref::text AS subject,
  CASE k.recipient_type WHEN 'woman' THEN k.recipient_ref WHEN 'business' THEN b.owner_person_ref END AS person_ref,
  true AS num, k.amount_idr AS amount
FROM capital k
LEFT JOIN businesses b ON k.recipient_type = 'business' AND b.business_ref = k.recipient_ref
LEFT JOIN coops c ON k.recipient_type = 'coop' AND c.coop_ref = k.recipient_ref
LEFT JOIN women w ON w.person_ref = CASE k.recipient_type WHEN 'woman' THEN k.recipient_ref
                                     WHEN 'business' THEN b.owner_person_ref END"""

_ACCESS = f"""WITH access AS (
  SELECT bo.business_ref, bo.owner_person_ref, 'trade_fair' AS channel, f.starts_on AS on_date
  FROM booths bo LEFT JOIN fairs f ON f.fair_ref = bo.fair_ref
  UNION ALL SELECT business_ref, owner_person_ref, channel, listed_on FROM listings)
SELECT COALESCE(b.kecamatan_code, w.kecamatan_code) AS kecamatan_code, {_m('a.on_date')} AS period,
  NULL::text AS opd, b.sector AS field, {W}, a.business_ref::text AS subject, a.owner_person_ref AS person_ref,
  true AS num, NULL::bigint AS amount
FROM access a LEFT JOIN businesses b ON b.business_ref = a.business_ref
LEFT JOIN women w ON w.person_ref = a.owner_person_ref WHERE a.channel = '{{channel}}'"""

_SALES = f"""SELECT COALESCE(b.kecamatan_code, w.kecamatan_code) AS kecamatan_code, {_m('s.sold_on')} AS period,
  NULL::text AS opd, b.sector AS field, {W}, s.sale_ref::text AS subject, s.owner_person_ref AS person_ref,
  true AS num, s.amount_idr AS amount, s.channel
FROM sales s LEFT JOIN businesses b ON b.business_ref = s.business_ref
LEFT JOIN women w ON w.person_ref = s.owner_person_ref WHERE {{where}}"""

_BASELINE = """base AS (
  SELECT DISTINCT ON (person_ref) person_ref, below_poverty_line, assessment_ref, assessed_on FROM assessments
  WHERE is_baseline ORDER BY person_ref, assessed_on, assessment_ref)"""
_LATER_ABOVE = """SELECT 1 FROM assessments a WHERE a.person_ref = b.person_ref AND a.assessment_ref <> b.assessment_ref
  AND a.assessed_on >= b.assessed_on AND NOT a.below_poverty_line"""
# A woman leaves poverty once: in the month of her first assessment above GK after a baseline below it.
_POVERTY_EXITS = f"""WITH {_BASELINE},
exits AS (SELECT DISTINCT ON (a.person_ref) a.person_ref, a.assessed_on FROM assessments a JOIN base b
  ON b.person_ref = a.person_ref WHERE b.below_poverty_line AND a.assessment_ref <> b.assessment_ref
  AND a.assessed_on >= b.assessed_on AND NOT a.below_poverty_line ORDER BY a.person_ref, a.assessed_on, a.assessment_ref)
SELECT w.kecamatan_code, {_m('e.assessed_on')} AS period, w.registered_by_opd AS opd, NULL::text AS field, {W},
  e.person_ref::text AS subject, e.person_ref, true AS num, NULL::bigint AS amount
FROM exits e LEFT JOIN women w ON w.person_ref = e.person_ref"""
# The exit rate follows a cohort: women below GK at a baseline in the month, and whether they were above it at an
# assessment within 12 months of that baseline.
_POVERTY_COHORT = f"""WITH {_BASELINE}
SELECT w.kecamatan_code, {_m('b.assessed_on')} AS period, w.registered_by_opd AS opd, NULL::text AS field, {W},
  b.person_ref::text AS subject, b.person_ref,
  EXISTS ({_LATER_ABOVE} AND a.assessed_on <= (b.assessed_on + interval '12 months')::date) AS num, NULL::bigint AS amount
FROM base b LEFT JOIN women w ON w.person_ref = b.person_ref WHERE b.below_poverty_line"""

_AID = f"""SELECT w.kecamatan_code, {_m('a.provided_on')} AS period, a.provider_opd AS opd, NULL::text AS field, {W},
  a.person_ref::text AS subject, a.person_ref, true AS num, NULL::bigint AS amount
FROM aid a LEFT JOIN women w ON w.person_ref = a.person_ref WHERE a.kind = '{{kind}}'"""

_PLACEMENTS = f"""SELECT w.kecamatan_code, {_m('p.placed_on')} AS period,
  COALESCE(c.organizer_opd, 'distransnaker') AS opd, COALESCE(c.field, p.sector) AS field, {W},
  p.placement_ref::text AS subject, p.person_ref, true AS num, NULL::bigint AS amount
FROM placements p LEFT JOIN courses c ON c.course_ref = p.course_ref LEFT JOIN women w ON w.person_ref = p.person_ref
WHERE p.formal"""

CHANNELS = ("trade_fair", "modern_retail", "digital")  # the market channels of BRIEF.md, in the catalogue's order

_COMPLETED = "EXISTS (SELECT 1 FROM completions d WHERE d.course_ref = x.course_ref AND d.person_ref = x.person_ref)"

BASE_SQL: dict[str, str] = {
    "women_registered": _WOMEN.format(num="true"),
    "pekka_registered": _WOMEN.format(num="true") + " AND w.pekka_category <> 'none'",
    "enrolments": _COURSE_FACT.format(period=_m("x.enrolled_on"), num="true", table="enrolments"),
    "completions": _COURSE_FACT.format(period=_m("x.completed_on"), num="true", table="completions"),
    "dropouts": _COURSE_FACT.format(period=_m("x.dropped_on"), num="true", table="dropouts"),
    "completion_rate": _COURSE_FACT.format(period=_m("c.starts_on"), num=_COMPLETED, table="enrolments"),
    "women_trained": _COURSE_FACT.format(period=_m("x.completed_on"), num="true", table="completions").replace(
        "x.course_ref::text || '/' || x.person_ref::text AS subject", "x.person_ref::text AS subject"),
    "business_startups": _STARTUP,
    "business_startup_rate": _STARTUP,
    "ukm_registered": _LEGAL.format(num="true"),
    # Legality from the latest report's flags, else the registration's.
    **{f"ukm_{flag}_share": _LEGAL.format(num=f"COALESCE(r.has_{flag}, b.has_{flag})")
       for flag in ("nib", "pirt", "halal")},
    "revenue_change_median": _REVENUE,
    "coops_formed": f"""SELECT c.kecamatan_code, {_m('c.formed_on')} AS period, 'diskop_ukm'::text AS opd,
      c.kind AS field, NULL::text AS pekka_category, NULL::text AS age_band, NULL::text AS desa_code, c.coop_ref::text AS subject,
      NULL::uuid AS person_ref, true AS num, NULL::bigint AS amount FROM coops c""",
    "coop_women_members": _MEMBERS,
    "coops_rat_compliant": f"""SELECT c.kecamatan_code, {_m('m.held_on')} AS period, 'diskop_ukm'::text AS opd,
      c.kind AS field, NULL::text AS pekka_category, NULL::text AS age_band, NULL::text AS desa_code, m.coop_ref::text AS subject,
      NULL::uuid AS person_ref, true AS num, NULL::bigint AS amount
      FROM coop_meetings m LEFT JOIN coops c ON c.coop_ref = m.coop_ref""",
    "capital_recipients": _CAPITAL,
    "capital_disbursed_idr": _CAPITAL,
    **{f"market_{channel}": _ACCESS.format(channel=channel) for channel in CHANNELS},
    **{f"sales_{channel}_idr": _SALES.format(where=f"s.channel = '{channel}'") for channel in CHANNELS},
    "sales_total_idr": _SALES.format(where="true"),
    "formal_placements": _PLACEMENTS,
    "poverty_exits": _POVERTY_EXITS,
    "poverty_exit_rate": _POVERTY_COHORT,
    "legal_aid_recipients": _AID.format(kind="legal_assistance"),
    "counselling_recipients": _AID.format(kind="counselling"),
    "shelter_recipients": _AID.format(kind="shelter"),
    "social_aid_recipients": _AID.format(kind="social_aid"),
    "women_first_business": f"""SELECT COALESCE(w.kecamatan_code, b.kecamatan_code) AS kecamatan_code,
      {_m('b.registered_on')} AS period, NULL::text AS opd, NULL::text AS field, {W},
      b.owner_person_ref::text AS subject, b.owner_person_ref AS person_ref, true AS num, NULL::bigint AS amount
      FROM businesses b LEFT JOIN women w ON w.person_ref = b.owner_person_ref WHERE b.registered_on IS NOT NULL""",
    "women_first_market": f"""WITH reached AS (
      SELECT bo.owner_person_ref AS person_ref, f.starts_on AS on_date FROM booths bo JOIN fairs f ON f.fair_ref = bo.fair_ref
      UNION ALL SELECT owner_person_ref, listed_on FROM listings UNION ALL SELECT owner_person_ref, sold_on FROM sales)
      SELECT w.kecamatan_code, {_m('r.on_date')} AS period, NULL::text AS opd, NULL::text AS field, {W},
      r.person_ref::text AS subject, r.person_ref, true AS num, NULL::bigint AS amount
      FROM reached r LEFT JOIN women w ON w.person_ref = r.person_ref WHERE r.person_ref IS NOT NULL AND r.on_date IS NOT NULL""",
}
# Each Rupiah disbursed counts: the sum's records are the disbursements, not the recipients.
BASE_SQL["capital_disbursed_idr"] = _CAPITAL.replace("k.recipient_ref::text AS subject", "k.disbursement_ref::text AS subject")
# A RAT is held once per cooperative and fiscal year.
BASE_SQL["coops_rat_compliant"] = BASE_SQL["coops_rat_compliant"].replace(
    "m.coop_ref::text AS subject", "m.coop_ref::text || '/' || m.fiscal_year AS subject")
# A legality row with its three flags in one value ('101': NIB, no PIRT, halal), for the publication's basis.
LEGALITY = _LEGAL.format(num="(COALESCE(r.has_nib, b.has_nib) IS TRUE)::int::text"
                         " || (COALESCE(r.has_pirt, b.has_pirt) IS TRUE)::int::text"
                         " || (COALESCE(r.has_halal, b.has_halal) IS TRUE)::int::text")

# Counted at first occurrence: a subject (a woman, a business, a recipient) counted more than once by a base
# query (a woman with completions in two months) is counted once, in the cell of its earliest row, so that every
# indicator is additive over months, quarters and every breakdown (Rupiah sums count every record).
FIRST = """SELECT DISTINCT ON (subject) * FROM ({base}) AS x
ORDER BY subject, period NULLS LAST, opd NULLS LAST, field NULLS LAST, kecamatan_code NULLS LAST"""

GROUP_COLUMN = {
    None: "'total'",
    "kecamatan": "kecamatan_code",
    "period": "period",
    "opd": "opd",
    "field": "field",
    "pekka_category": "pekka_category",
    "age_band": "age_band",
    "desa": "desa_code",
    "kecamatan_period": "kecamatan_code || '|' || period",
}

AGGREGATE = """SELECT {group} AS key,
  count(DISTINCT subject) FILTER (WHERE num) AS num, count(DISTINCT subject) AS den,
  count(DISTINCT person_ref) FILTER (WHERE num) AS people_num, count(DISTINCT person_ref) AS people_all,
  sum(amount) FILTER (WHERE num) AS total,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE num) AS median
FROM ({base}) AS f
WHERE ($1::text IS NULL OR kecamatan_code = $1) AND ($2::text IS NULL OR period >= $2)
  AND ($3::text IS NULL OR period <= $3) AND ($4::text IS NULL OR opd = $4) AND ($5::text IS NULL OR field = $5)
  AND ($6::text IS NULL OR pekka_category = $6) AND ($7::text IS NULL OR age_band = $7)
GROUP BY 1 ORDER BY 1 NULLS LAST"""

# Set-based: each step is one pass over its table (one row per person), joined by hash or merge to the women,
# instead of a probe per woman per step. The steps are distinct per person, so the joins never multiply rows.
FUNNEL = """SELECT
  count(*) AS registered,
  count(t.person_ref) AS trained,
  count(b.person_ref) AS business,
  count(m.person_ref) AS market,
  count(*) FILTER (WHERE NOT a.below_poverty_line) AS above_poverty_line
FROM women w
LEFT JOIN (SELECT DISTINCT person_ref FROM completions) t ON t.person_ref = w.person_ref
LEFT JOIN (SELECT DISTINCT owner_person_ref AS person_ref FROM businesses) b ON b.person_ref = w.person_ref
LEFT JOIN (SELECT owner_person_ref AS person_ref FROM booths UNION SELECT owner_person_ref FROM listings
           UNION SELECT owner_person_ref FROM sales) m ON m.person_ref = w.person_ref
LEFT JOIN (SELECT DISTINCT ON (person_ref) person_ref, below_poverty_line FROM assessments
           ORDER BY person_ref, assessed_on DESC, assessment_ref DESC) a ON a.person_ref = w.person_ref
WHERE w.registered_on IS NOT NULL AND ($1::text IS NULL OR w.kecamatan_code = $1)
  AND ($2::text IS NULL OR w.pekka_category = $2) AND ($3::text IS NULL OR w.age_band = $3)"""
