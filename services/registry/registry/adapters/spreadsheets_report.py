"""An import's row report as a spreadsheet staff open in Excel: one line per problem — the row, the column as their
sheet names it, what happened to the row, the problem, the fix. Never a value from the row (no NIK, no name).

CSV: semicolon-separated with a UTF-8 byte-order mark, which Excel in the Indonesian locale opens in columns. XLSX:
bold frozen header, column widths, wrapped text. Text that would start a formula is neutralised in both.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

REPORT_HEADER = ("Baris", "Kolom", "Hasil", "Masalah", "Perbaikan")
_WIDTHS = (8, 24, 28, 70, 70)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ReportRow = tuple[int, str, str, str, str]


def safe_cell(value: Any) -> Any:
    """Spreadsheet formula injection guard: text starting like a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def report_csv(rows: Iterable[ReportRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()


def report_xlsx(rows: Iterable[ReportRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan impor"
    sheet.append(list(REPORT_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for i, width in enumerate(_WIDTHS):
        sheet.column_dimensions["ABCDE"[i]].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in line:
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
