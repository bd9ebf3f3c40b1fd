"""Exports for Excel as Indonesian offices use it (``GET /api/export``): the coordination meeting's tables.

- **CSV**, ``style="id"`` (the default): ``;`` between fields and a decimal comma, as Excel reads a CSV in the
  Indonesian locale (``,`` is its decimal separator there, so a ``,``-separated file lands in one column);
  ``style="en"``: ``,`` and a decimal point. UTF-8 with a BOM, so Excel does not guess the encoding.
- **Values by kind**: counts and Rupiah as integers ("19", never "19.0"); ratios as fractions with four decimals
  ("0,3256"); a withheld cell as ``x`` (the legend says why).
- **Kecamatan names beside codes**: a table grouped by kecamatan has a code column and a name column (Kemendagri
  codes and names of Kutai Kartanegara's 20 kecamatan, deploy/kecamatan.csv).
- **XLSX**: a sheet "Keterangan" (title, period, which face, the legend), then one sheet per table — the
  catalogue's groups of indicators (Pendaftaran, Pelatihan, Usaha…) — each with Indonesian column labels, a frozen
  bold header, column widths fitted to their contents, and number formats per kind (``#,##0``, ``0.0%``,
  ``"Rp" #,##0``) that Excel shows with the reader's own separators.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any, Literal

from berdaya_contracts.common import KECAMATAN
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .exports import LEGEND, SUPPRESSED_MARK

Style = Literal["id", "en"]

# The column(s) a group key becomes, with their Indonesian labels.
GROUP_LABELS: dict[str, list[str]] = {
    "kecamatan": ["Kode kecamatan", "Kecamatan"],
    "kecamatan_period": ["Kode kecamatan", "Kecamatan", "Periode"],
    "desa": ["Kode desa/kelurahan"],
    "period": ["Periode"],
    "opd": ["OPD"],
    "field": ["Bidang"],
    "pekka_category": ["Kategori PEKKA"],
    "age_band": ["Kelompok umur"],
}
KINDS = {"count": "jumlah", "ratio": "rasio", "sum_idr": "jumlah Rupiah", "median_idr": "median Rupiah"}
FORMATS = {"count": "#,##0", "ratio": "0.0%", "sum_idr": '"Rp" #,##0', "median_idr": '"Rp" #,##0'}
HEAD = ["Kode indikator", "Indikator", "Jenis"]
TAIL = ["Nilai", "Disembunyikan", "Penyebut"]


def group_columns(group_by: str | None) -> list[str]:
    return GROUP_LABELS.get(group_by or "", ["Kelompok"]) if group_by else []


def group_values(group_by: str | None, key: Any) -> list[Any]:
    """The group key as its columns: a kecamatan code with its name beside it."""
    if not group_by:
        return []
    text = "" if key is None else str(key)
    if group_by == "kecamatan":
        return [text, KECAMATAN.get(text, "")]
    if group_by == "kecamatan_period":
        code, _, period = text.partition("|")
        return [code, KECAMATAN.get(code, ""), period]
    return [text]


def typed(kind: str, value: Any) -> int | float | str | None:
    """A cell's value as its kind is written: integers for counts and Rupiah, a fraction for ratios."""
    if value is None or isinstance(value, str):
        return value
    return round(float(value), 4) if kind == "ratio" else int(round(float(value)))


def rows(report: Iterable[dict[str, Any]], group_by: str | None) -> list[tuple[str, list[Any]]]:
    """(kind, row) for every cell: code, label, kind in Indonesian, the group's columns, value, withheld, denominator."""
    out = []
    for ind in report:
        for cell in ind["cells"]:
            value = SUPPRESSED_MARK if cell["suppressed"] else typed(ind["kind"], cell["value"])
            out.append((ind["kind"], [ind["indicator"], ind["label"], KINDS.get(ind["kind"], ind["kind"]),
                                      *group_values(group_by, cell.get("key")), value,
                                      "ya" if cell["suppressed"] else "tidak", typed("count", cell.get("denominator"))]))
    return out


def _text(value: Any, style: Style) -> Any:
    if isinstance(value, float) and style == "id":
        return f"{value:.4f}".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.4f}"
    return value


def to_csv(report: list[dict[str, Any]], group_by: str | None, style: Style = "id") -> bytes:
    """The report as one CSV table (header in Indonesian); ``style`` picks the separators (module docstring)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if style == "id" else ",", lineterminator="\r\n")
    writer.writerow(HEAD + group_columns(group_by) + TAIL)
    writer.writerows([_text(v, style) for v in row] for _, row in rows(report, group_by))
    return buf.getvalue().encode("utf-8-sig")


def _sheet_name(name: str, taken: set[str]) -> str:
    clean = "".join(" " if c in "[]:*?/\\" else c for c in name)[:31] or "Tabel"
    candidate, n = clean, 2
    while candidate in taken:
        candidate, n = f"{clean[:28]} {n}", n + 1
    taken.add(candidate)
    return candidate


def to_xlsx(report: list[dict[str, Any]], group_by: str | None, label: str, face: str) -> bytes:
    """The report as a workbook: "Keterangan", then one formatted sheet per group of indicators."""
    wb = Workbook()
    about = wb.active
    about.title = "Keterangan"
    about.append([f"Indikator Berdaya — periode {label} — angka {face}"])
    about["A1"].font = Font(bold=True, size=13)
    about.append([LEGEND if face == "publik" else "Angka persis untuk tim evaluasi DP3A: jangan diterbitkan."])
    about.append(["Nilai rasio ditampilkan sebagai persen; jumlah Rupiah utuh; sel bertanda x disembunyikan."])
    about.column_dimensions["A"].width = 110
    for cell in about["A"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    header = HEAD + group_columns(group_by) + TAIL
    value_column = len(header) - 2  # 1-based column of "Nilai"
    taken = {"Keterangan"}
    tables: dict[str, list[dict[str, Any]]] = {}
    for ind in report:
        tables.setdefault(ind.get("group") or "Indikator", []).append(ind)
    for group, inds in tables.items():
        ws = wb.create_sheet(_sheet_name(group, taken))
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for kind, row in rows(inds, group_by):
            ws.append(row)
            value = ws.cell(row=ws.max_row, column=value_column)
            if isinstance(value.value, int | float):
                value.number_format = FORMATS.get(kind, "General")
            else:
                value.alignment = Alignment(horizontal="right")
            ws.cell(row=ws.max_row, column=value_column + 2).number_format = FORMATS["count"]
        for index, column in enumerate(ws.iter_cols(min_row=1, max_row=ws.max_row), start=1):
            width = max(len(_shown(c.value)) for c in column)
            ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, int):
        return f"Rp {value:,}" if value >= 10_000 else f"{value:,}"
    return "" if value is None else str(value)
