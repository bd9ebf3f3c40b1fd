"""An evaluation round for the meeting: a printable page (Bahasa Indonesia) and an XLSX workbook."""

import html
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ..domain import rounds as d
from ..domain.indicators import BY_NAME
from ..service_layer.exports import LEGEND, SUPPRESSED_MARK


def _num(value: float | None, suppressed: bool, kind: str) -> str:
    if suppressed:
        return SUPPRESSED_MARK
    if value is None:
        return "–"
    if kind == "ratio":
        return f"{value * 100:.1f}".replace(".", ",") + "%"
    text = f"{value:,.0f}".replace(",", ".")
    return f"Rp {text}" if kind == "sum_idr" else text


def _regency(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for c in r["figures"]:
        if c["kecamatan_code"] is None:
            ind = BY_NAME[c["indicator"]]
            rows.append({"label": ind.label, "group": ind.group, "name": ind.name,
                         "value": _num(c["value"], c["suppressed"], ind.kind)})
    return rows


STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem; color: #222; font-size: 11pt; }
h1 { font-size: 16pt; margin-bottom: .2rem; }
h2 { font-size: 13pt; margin-top: 1.4rem; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin-top: .4rem; }
th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; } th { background: #eee; }
.meta { color: #555; } .status { font-weight: bold; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } .noprint { display: none; } }
@page { size: A4; margin: 15mm; }
"""


def _dmy(value: Any) -> str:
    return value.strftime("%d-%m-%Y") if hasattr(value, "strftime") else str(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}".replace(".", ",") + "%"


def _table(table_id: str, header: list[str], rows: list[list[str]], empty: str, attrs: list[str] | None = None) -> str:
    """A table from already-escaped cells (``attrs`` holds escaped row attributes)."""
    if not rows:
        return f"<p>{empty}</p>"
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(f"<tr{(' ' + attrs[i]) if attrs else ''}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                   for i, row in enumerate(rows))
    return f'<table id="{table_id}"><tr>{head}</tr>{body}</table>'


def to_html(r: dict[str, Any]) -> str:
    e = html.escape
    figures = _regency(r)
    status = f"Disetujui DP3A {_dmy(r['approved_on'])}" if r["approved_on"] else "Belum disetujui"
    parts = [
        f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{e(r["title"])}</title>'
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{e(r['title'])}</h1>",
        f'<p class="meta">Periode: {e(period_label(r["period_kind"], r["period"]))} · Dibuka {_dmy(r["opened_at"])}'
        f' · Status: <span class="status" id="status">{e(status)}</span></p>',
        f'<p class="meta">Angka dibekukan saat putaran dibuka. {e(LEGEND)}</p>',
        "<h2>Indikator (Kabupaten Kutai Kartanegara)</h2>",
        _table("figures", ["Kelompok", "Indikator", "Nilai"],
               [[e(f["group"]), e(f["label"]), e(f["value"])] for f in figures], "Tidak ada angka.",
               [f'data-indicator="{e(f["name"])}"' for f in figures]),
        "<h2>Target dan capaian</h2>",
        _table("targets", ["Indikator", "Wilayah", "Target", "Kemajuan"],
               [[e(t["label"]), "Kabupaten" if t["kecamatan_code"] == "all" else e(t["kecamatan_code"]),
                 e(f"{t['target']:,.0f}".replace(",", ".")), _pct(t["progress"])] for t in r["targets"]],
               "Belum ada target."),
        "<h2>Catatan kemajuan OPD</h2>",
        "".join(f"<p><b>{e(d.OPD_LABEL[n['opd']])}:</b> {e(n['progress_note'])}</p>" for n in r["notes"])
        or "<p>Belum ada catatan.</p>",
        "<h2>Hambatan</h2>",
        _table("obstacles", ["OPD", "Kategori", "Uraian", "Tingkat"],
               [[e(d.OPD_LABEL[o["opd"]]), e(d.CATEGORY_LABEL[o["category"]]), e(o["description"]),
                 e(d.SEVERITY_LABEL[o["severity"]])] for o in r["obstacles"]], "Tidak ada hambatan tercatat."),
        "<h2>Tindak lanjut</h2>",
        _table("actions", ["Uraian", "Penanggung jawab", "Tenggat", "Status", "Dibuka pada"],
               [[e(a["description"]), e(d.OPD_LABEL[a["owner_opd"]]), _dmy(a["due_on"]),
                 e(d.STATUS_LABEL[a["status_in_round"] or a["status"]]),
                 e(a["opened_period"]) + (" (lanjutan)" if a["carried_over"] else "")] for a in r["actions"]],
               "Tidak ada tindak lanjut."),
        '<p class="noprint"><button onclick="window.print()">Cetak</button></p></body></html>',
    ]
    return "\n".join(parts)


def period_label(kind: str, period: str) -> str:
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember"]
    if kind == "quarter":
        return f"Triwulan {['I', 'II', 'III', 'IV'][int(period[-1]) - 1]} {period[:4]}"
    return f"{months[int(period[5:7]) - 1]} {period[:4]}"


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([d.safe_text(v) for v in row])


def to_xlsx(r: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    ws.append([d.safe_text(r["title"])])
    ws["A1"].font = Font(bold=True)
    ws.append(["Periode", period_label(r["period_kind"], r["period"])])
    ws.append(["Status", f"Disetujui {r['approved_by_opd']} {r['approved_on']}" if r["approved_on"] else "Belum disetujui"])
    ws.append([LEGEND])
    _sheet(wb, "Indikator", ["indikator", "label", "kecamatan", "nilai", "disembunyikan"],
           [[c["indicator"], BY_NAME[c["indicator"]].label, c["kecamatan_code"] or "Kabupaten",
             SUPPRESSED_MARK if c["suppressed"] else c["value"], "ya" if c["suppressed"] else "tidak"]
            for c in r["figures"]])
    _sheet(wb, "Target", ["indikator", "wilayah", "target", "capaian", "kemajuan"],
           [[t["indicator"], t["kecamatan_code"], t["target"], t["actual"], t["progress"]] for t in r["targets"]])
    _sheet(wb, "Catatan", ["OPD", "catatan kemajuan"], [[n["opd"], n["progress_note"]] for n in r["notes"]])
    _sheet(wb, "Hambatan", ["OPD", "kategori", "uraian", "tingkat"],
           [[o["opd"], d.CATEGORY_LABEL[o["category"]], o["description"], d.SEVERITY_LABEL[o["severity"]]]
            for o in r["obstacles"]])
    _sheet(wb, "Tindak lanjut", ["uraian", "OPD pencatat", "penanggung jawab", "tenggat", "status", "dibuka pada"],
           [[a["description"], a["opd"], a["owner_opd"], a["due_on"], d.STATUS_LABEL[a["status_in_round"] or a["status"]],
             a["opened_period"]] for a in r["actions"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
