"""CSV and XLSX exports of a period's indicators for the coordination meeting: the publication for the public,
exact figures for the evaluation team. Withheld cells carry the mark ``x`` and the legend explains it."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

HEADER = ["indikator", "label", "jenis", "kelompok", "nilai", "disembunyikan", "penyebut"]
SUPPRESSED_MARK = "x"
LEGEND = ("x = disembunyikan untuk melindungi kerahasiaan (UU PDP No. 27/2022): sel mewakili kurang dari 5 orang "
          "(bantuan bagi perempuan korban kekerasan dan bantuan sosial: kurang dari 10, termasuk nol), atau "
          "disembunyikan agar sel kecil lain tidak dapat dihitung dari angka yang diterbitkan.")


def _rows(report: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for ind in report:
        for cell in ind["cells"]:
            value = SUPPRESSED_MARK if cell["suppressed"] else cell["value"]
            rows.append([ind["indicator"], ind["label"], ind["kind"], cell["key"], value,
                         "ya" if cell["suppressed"] else "tidak", cell.get("denominator")])
    return rows


def to_csv(report: list[dict[str, Any]], group_by: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER[:3] + [group_by] + HEADER[4:])
    writer.writerows(_rows(report))
    return buf.getvalue().encode("utf-8-sig")  # BOM: Excel in id-ID opens it as UTF-8


def to_xlsx(report: list[dict[str, Any]], group_by: str, label: str, face: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Indikator"
    ws.append([f"Indikator Berdaya — periode {label} — angka {face}"])
    ws["A1"].font = Font(bold=True)
    ws.append([LEGEND if face == "publik" else "Angka persis untuk tim evaluasi DP3A: jangan diterbitkan."])
    ws.append(HEADER[:3] + [group_by] + HEADER[4:])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        ws.append(row)
        if report and isinstance(row[4], float) and row[2] == "sum_idr":
            ws.cell(row=ws.max_row, column=5).number_format = '"Rp" #,##0'
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
