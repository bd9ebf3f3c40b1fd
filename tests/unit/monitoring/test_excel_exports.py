"""Exports for Excel in the Indonesian locale: separators, integers as integers, ratios with a decimal comma,
kecamatan names beside codes, and a workbook with one formatted sheet per table."""

import csv
import io

import openpyxl
from monitoring.service_layer import excel_exports

REPORT = [
    {"indicator": "women_registered", "label": "Perempuan terdaftar", "kind": "count", "group": "Pendaftaran",
     "cells": [{"key": "64.02.06", "value": 19.0, "suppressed": False},
               {"key": "64.02.15", "value": None, "suppressed": True}]},
    {"indicator": "completion_rate", "label": "Tingkat kelulusan", "kind": "ratio", "group": "Pelatihan",
     "cells": [{"key": "64.02.06", "value": 0.32558, "suppressed": False, "denominator": 43.0}]},
    {"indicator": "sales_total_idr", "label": "Nilai penjualan", "kind": "sum_idr", "group": "Pasar",
     "cells": [{"key": "64.02.06", "value": 12_500_000.0, "suppressed": False}]},
]


def test_csv_for_indonesian_excel_separates_with_semicolons_and_writes_decimal_commas() -> None:
    data = excel_exports.to_csv(REPORT, "kecamatan")
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Kode indikator", "Indikator", "Jenis", "Kode kecamatan", "Kecamatan", "Nilai",
                       "Disembunyikan", "Penyebut"]
    assert rows[1] == ["women_registered", "Perempuan terdaftar", "jumlah", "64.02.06", "Tenggarong", "19", "tidak", ""]
    assert rows[2][3:7] == ["64.02.15", "Sanga Sanga", "x", "ya"]
    assert rows[3][5:] == ["0,3256", "tidak", "43"]
    assert rows[4][5] == "12500000"


def test_csv_in_the_english_style_on_request_and_other_groupings() -> None:
    rows = list(csv.reader(io.StringIO(excel_exports.to_csv(REPORT, "kecamatan", "en").decode("utf-8-sig"))))
    assert rows[3][5] == "0.3256" and rows[1][5] == "19"
    by_both = [{**REPORT[0], "cells": [{"key": "64.02.07|2026-03", "value": 4.0, "suppressed": False}]}]
    rows = list(csv.reader(io.StringIO(excel_exports.to_csv(by_both, "kecamatan_period").decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][3:6] == ["Kode kecamatan", "Kecamatan", "Periode"]
    assert rows[1][3:7] == ["64.02.07", "Sebulu", "2026-03", "4"]
    rows = list(csv.reader(io.StringIO(excel_exports.to_csv(REPORT[:1], "period").decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][3] == "Periode" and len(rows[0]) == 7


def test_xlsx_has_one_formatted_sheet_per_table() -> None:
    book = openpyxl.load_workbook(io.BytesIO(excel_exports.to_xlsx(REPORT, "kecamatan", "2026-Q1", "internal")))
    assert book.sheetnames == ["Keterangan", "Pendaftaran", "Pelatihan", "Pasar"]
    assert "2026-Q1" in book["Keterangan"]["A1"].value
    sheet = book["Pendaftaran"]
    assert [c.value for c in sheet[1]][:5] == ["Kode indikator", "Indikator", "Jenis", "Kode kecamatan", "Kecamatan"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert [c.value for c in sheet[2]][3:6] == ["64.02.06", "Tenggarong", 19]
    assert isinstance(sheet["F2"].value, int) and sheet["F2"].number_format == "#,##0"
    assert sheet["F3"].value == "x"
    assert sheet.column_dimensions["B"].width >= len("Perempuan terdaftar")
    ratio = book["Pelatihan"]["F2"]
    assert ratio.value == 0.3256 and ratio.number_format == "0.0%"
    assert book["Pasar"]["F2"].number_format == '"Rp" #,##0' and book["Pasar"]["F2"].value == 12_500_000
