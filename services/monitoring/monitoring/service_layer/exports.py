"""CSV and XLSX exports of a period's indicators for the coordination meeting (suppressed like the API)."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

HEADER = ["indikator", "label", "jenis", "kelompok", "nilai", "disembunyikan", "penyebut"]
SUPPRESSED_MARK = "<5"


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


def to_xlsx(report: list[dict[str, Any]], group_by: str, filters: Any) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Indikator"
    ws.append([f"Indikator Berdaya — periode {filters.period_from or 'awal'} s.d. {filters.period_to or 'kini'}"])
    ws["A1"].font = Font(bold=True)
    ws.append(["Sel dengan kurang dari 5 orang disembunyikan (<5) sesuai UU PDP."])
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
