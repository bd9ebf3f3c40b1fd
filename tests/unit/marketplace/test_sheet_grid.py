"""The fair sales sheet's grid as a clerk types it: empty rows skipped, money with or without dots, each problem
named by its cell, and the rules' ``rows.<i>.<field>`` mapped back to the grid row it came from."""

from datetime import date
from uuid import uuid4

from marketplace.entrypoints.pages_sales import _cell, _read


def test_filled_rows_are_read_and_empty_ones_skipped() -> None:
    a, b = uuid4(), uuid4()
    form = {"b-0": str(a), "q-0": "3", "n-0": "150.000", "t-0": "2026-08-15",
            "b-1": "", "q-1": "", "n-1": "", "t-1": "2026-08-15",  # untouched row: the date is prefilled
            "b-2": str(b), "q-2": "1", "n-2": "Rp 60.000", "t-2": "16/08/2026"}
    rows, origin, problems = _read(form, 3)
    assert problems == []
    assert origin == [0, 2]
    assert rows == [{"business_ref": a, "amount_idr": 150_000, "quantity": 3, "sold_on": date(2026, 8, 15)},
                    {"business_ref": b, "amount_idr": 60_000, "quantity": 1, "sold_on": date(2026, 8, 16)}]


def test_each_problem_names_its_cell_and_row() -> None:
    form = {"b-0": "", "q-0": "0", "n-0": "satu juta", "t-0": "31/02/2026"}
    _rows, _origin, problems = _read(form, 1)
    assert [p.field for p in problems] == ["b-0", "n-0", "q-0", "t-0"]
    assert all(p.pesan.startswith("Baris 1: ") for p in problems)


def test_the_rules_row_numbers_map_back_to_the_grid() -> None:
    origin = [0, 4]  # the second sale sent was typed on the grid's fifth row
    assert _cell("rows.1.business_ref", origin) == "b-4"
    assert _cell("rows.1.booth_no", origin) == "b-4"
    assert _cell("rows.0.sold_on", origin) == "t-0"
