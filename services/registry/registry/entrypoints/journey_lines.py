"""Her journey across OPDs as her page lists it: one line per step (enrolment, completion, drop-out, placement,
booth, listing, sale), each with its date, the OPD that recorded it and a sentence in Bahasa Indonesia, oldest
first. Built from ``service_layer.journey.timeline`` (refs, codes, dates and amounts from training.events and
marketplace.events); business names come from her own record in the registry.

OPD of each step: a course's organizer (``CourseScheduled.organizer_opd``); a placement is Distransnaker's (only
its officers hold placements:write, deploy/keycloak/realm-berdaya.json); booths, listings and sales are
Disperindag's (the marketplace service is theirs, DESIGN.md §1)."""

from datetime import date
from typing import Any

from berdaya_shared.ui.formats import persen, rupiah, tanggal
from berdaya_shared.ui.nav import opd_label

from .pages_common import place

FIELDS = {"kerajinan_tangan": "kerajinan tangan", "industri_kreatif": "industri kreatif", "kuliner": "kuliner",
          "teknologi_informasi": "teknologi informasi", "manufaktur": "manufaktur", "jasa": "jasa",
          "manajemen_usaha": "manajemen usaha"}
DROP_REASONS = {"pekerjaan": "pekerjaan", "keluarga": "urusan keluarga", "kesehatan": "kesehatan",
                "pindah": "pindah tempat tinggal", "biaya": "biaya", "lainnya": "alasan lain"}
CHANNELS = {"trade_fair": "pameran", "modern_retail": "ritel modern", "digital": "pasar digital"}
PLACEMENT_OPD = "distransnaker"
MARKET_OPD = "disperindag"


def _course_name(course: dict[str, Any]) -> str:
    if not course.get("field"):
        return "pelatihan (jadwalnya belum diterima)"
    where = place(course["kecamatan_code"]) if course.get("kecamatan_code") else ""
    return f"pelatihan {FIELDS.get(course['field'], course['field'])}" + (f" di {where}" if where else "")


def _line(on: date | None, opd: str | None, kind: str, text: str) -> dict[str, Any]:
    return {"on": on, "tanggal": tanggal(on) if on else "Tanggal belum diketahui", "opd": opd_label(opd),
            "kind": kind, "text": text}


def _courses(courses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for c in courses:
        name, opd = _course_name(c), c.get("organizer_opd")
        if c.get("enrolled_on") or c["status"] == "enrolled":
            dates = (f" ({tanggal(c['starts_on'])} – {tanggal(c['ends_on'])})"
                     if c.get("starts_on") and c.get("ends_on") else "")
            out.append(_line(c.get("enrolled_on"), opd, "pelatihan", f"Terdaftar di {name}{dates}"))
        if c["status"] == "completed":
            rate = f", kehadiran {persen(c['attendance_rate'], 0)}" if c.get("attendance_rate") is not None else ""
            cert = ", bersertifikat" if c.get("certified") else ", tanpa sertifikat"
            out.append(_line(c.get("completed_on"), opd, "lulus", f"Lulus {name}{rate}{cert}"))
        elif c["status"] == "dropped":
            reason = DROP_REASONS.get(c.get("drop_reason") or "", c.get("drop_reason") or "tidak dicatat")
            out.append(_line(c.get("dropped_on"), opd, "putus", f"Berhenti dari {name}; alasan: {reason}"))
    return out


def _placements(placements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_line(p["placed_on"], PLACEMENT_OPD, "penempatan",
                  f"Bekerja di sektor {p['sector'].replace('_', ' ')} ({'formal' if p['formal'] else 'informal'}), "
                  f"upah {rupiah(p['monthly_wage_idr'])} sebulan") for p in placements]


def _market(rows: list[dict[str, Any]], business_names: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        business = business_names.get(str(r["business_ref"]), "usahanya")
        channel = CHANNELS.get(r.get("channel") or "", r.get("channel") or "")
        if r["kind"] == "booth":
            out.append(_line(r["on_date"], MARKET_OPD, "stan", f"Mendapat stan pameran untuk {business}"))
        elif r["kind"] == "listing":
            out.append(_line(r["on_date"], MARKET_OPD, "produk",
                             f"Produk {business} dipasarkan di {channel}, harga {rupiah(r['amount_idr'])}"))
        else:
            out.append(_line(r["on_date"], MARKET_OPD, "penjualan",
                             f"Penjualan {business} di {channel}: {r['quantity']} barang, {rupiah(r['amount_idr'])}"))
    return out


def lines(journey: dict[str, Any], business_names: dict[str, str]) -> list[dict[str, Any]]:
    """Every step of ``journey`` (a ``timeline`` answer) as {on, tanggal, opd, kind, text}, by date; steps without
    a date last, in the order they were listed."""
    steps = (_courses(journey["courses"]) + _placements(journey["placements"])
             + _market(journey["market"], business_names))
    return sorted(steps, key=lambda step: (step["on"] is None, step["on"] or date.min))
