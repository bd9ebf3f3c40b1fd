"""The exact indicators a scenario should produce (the evaluation team's face), computed in plain Python from the
scenario itself, and the records each public table is made of (for the public face).

Deliberately independent of the monitoring service's SQL: definitions follow BRIEF.md's indicator list and
services/monitoring/README.md (each subject counted once, at its first occurrence).
"""

from datetime import timedelta
from statistics import median
from typing import Any

from deploy.demo.scenario import GK_2024, Scenario


def _count(subjects: set[Any], people: set[Any] | None = None) -> float | None:
    return float(len(subjects))


def _ratio(num: int, den: int, people: int) -> float | None:
    return round(num / den, 4) if den else None


def _sum(total: int, people: set[Any]) -> float | None:
    return float(total)


def _below(income: int, household: int) -> bool:
    return income < GK_2024 * household


def indicators(s: Scenario) -> dict[str, float | None]:
    women = {w.key: w for w in s.women}
    out: dict[str, float | None] = {}
    out["women_registered"] = _count(set(women))
    out["pekka_registered"] = _count({k for k, w in women.items() if w.pekka_category != "none"})

    enrolled = {(c.key, w) for c in s.courses for w in c.participants}
    completed = {(c.key, w) for c in s.courses for w in c.completed}
    dropped = {(c.key, w) for c in s.courses for w in c.dropped}
    out["enrolments"] = _count(enrolled, {w for _, w in enrolled})
    out["completions"] = _count(completed, {w for _, w in completed})
    out["dropouts"] = _count(dropped, {w for _, w in dropped})
    out["completion_rate"] = _ratio(len(completed), len(enrolled), len({w for _, w in enrolled}))
    trained = {w for _, w in completed}
    out["women_trained"] = _count(trained)

    first_done = {}
    for c in s.courses:
        for w in c.completed:
            first_done[w] = min(first_done.get(w, c.ends_on), c.ends_on)
    owned = {}
    for b in s.businesses:
        owned.setdefault(b.owner, []).append(b.registered_on)
    eligible = {w for w, done in first_done.items() if not any(r < done for r in owned.get(w, []))}
    started = {w for w in eligible
               if any(first_done[w] <= r <= first_done[w] + timedelta(days=180) for r in owned.get(w, []))}
    out["business_startups"] = _count(started)
    out["business_startup_rate"] = _ratio(len(started), len(eligible), len(eligible))

    biz = {b.key: b for b in s.businesses}
    owners = {b.owner for b in s.businesses}
    out["ukm_registered"] = _count(set(biz), owners)
    for flag in ("nib", "pirt", "halal"):
        yes = [b for b in s.businesses if getattr(b, f"has_{flag}")]
        out[f"ukm_{flag}_share"] = _ratio(len(yes), len(biz), len(owners))
    changes = [b.reports[-1][1] - b.reports[0][1] for b in s.businesses if len(b.reports) >= 2]
    reporters = {b.owner for b in s.businesses if len(b.reports) >= 2}
    out["revenue_change_median"] = float(median(changes)) if reporters else None

    out["coops_formed"] = 1.0
    out["coop_women_members"] = _count(set(s.coop_members))
    out["coops_rat_compliant"] = 1.0
    recipients = {b for b, *_ in s.capital}
    out["capital_recipients"] = _count(recipients, {biz[b].owner for b in recipients})
    out["capital_disbursed_idr"] = _sum(sum(a for _, _, a, _ in s.capital), {biz[b].owner for b in recipients})

    access = {"trade_fair": set(s.booth_businesses), "modern_retail": set(), "digital": set()}
    for b, channel, _, _ in s.listings:
        access[channel].add(b)
    for channel, businesses in access.items():
        out[f"market_{channel}"] = _count(businesses, {biz[b].owner for b in businesses})
    for channel in ("trade_fair", "modern_retail", "digital"):
        sales = [x for x in s.sales if x.channel == channel]
        out[f"sales_{channel}_idr"] = _sum(sum(x.amount_idr for x in sales), {biz[x.business].owner for x in sales})
    out["sales_total_idr"] = _sum(sum(x.amount_idr for x in s.sales), {biz[x.business].owner for x in s.sales})

    formal = [p for p in s.placements if p[2]]
    out["formal_placements"] = _count({p[0] for p in formal})

    below_at_baseline = {k for k, w in women.items() if _below(w.baseline_income, w.household_size)}
    exits = {k for k in below_at_baseline
             if women[k].followup_income is not None
             and not _below(women[k].followup_income, women[k].household_size)}
    out["poverty_exits"] = _count(exits)
    out["poverty_exit_rate"] = _ratio(len(exits), len(below_at_baseline), len(below_at_baseline))

    for kind, name in (("legal_assistance", "legal_aid_recipients"), ("social_aid", "social_aid_recipients"),
                       ("counselling", "counselling_recipients"), ("shelter", "shelter_recipients")):
        out[name] = _count({w for w, k, _ in s.aid if k == kind})
    out["women_first_business"] = _count(owners)
    out["women_first_market"] = _count({biz[b].owner for b in s.booth_businesses} | {biz[b].owner for b, *_ in s.listings}
                                       | {biz[x.business].owner for x in s.sales})
    return out


def by_kecamatan(s: Scenario) -> dict[str, float | None]:
    """women_registered per kecamatan, exact."""
    counts: dict[str, int] = {}
    for w in s.women:
        counts[w.kecamatan_code] = counts.get(w.kecamatan_code, 0) + 1
    return {k: float(n) for k, n in counts.items()}


def women_rows(s: Scenario) -> list[Any]:
    """The records of the women family as the publication's basis should hold them (one per woman)."""
    from berdaya_contracts.common import age_band
    from monitoring.domain.disclosure.cells import Row

    return [Row(w.key, w.key, w.registered_on.strftime("%Y-%m"), w.kecamatan_code, w.desa_code,
                {"age_band": age_band(w.birth_date, w.registered_on), "pekka_category": w.pekka_category,
                 "opd": "dp3a"}, {"pekka": "0" if w.pekka_category == "none" else "1"}) for w in s.women]


def funnel(s: Scenario) -> dict[str, int]:
    trained = {w for c in s.courses for w in c.completed}
    business = {b.owner for b in s.businesses}
    biz = {b.key: b.owner for b in s.businesses}
    market = {biz[b] for b in s.booth_businesses} | {biz[b] for b, *_ in s.listings} | {biz[x.business] for x in s.sales}
    above = {
        w.key for w in s.women
        if not _below(w.followup_income if w.followup_income is not None else w.baseline_income, w.household_size)
    }
    return {"registered": len(s.women), "trained": len(trained), "business": len(business), "market": len(market),
            "above_poverty_line": len(above)}
