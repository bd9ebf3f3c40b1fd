"""Numbers, money and dates as Indonesian staff read and type them (berdaya_shared.ui.formats), and the kit's
template macros rendered on their own."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from berdaya_shared import errors
from berdaya_shared.ui import environment, field_id
from berdaya_shared.ui.formats import (
    angka,
    bulan_tahun,
    desimal,
    parse_rupiah,
    parse_tanggal,
    persen,
    rupiah,
    tanggal,
    tanggal_waktu,
)
from markupsafe import Markup


def test_dates_read_the_indonesian_way() -> None:
    assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
    assert tanggal(date(2025, 1, 5)) == "5 Januari 2025"
    assert bulan_tahun(date(2026, 5, 1)) == "Mei 2026"
    # 02:32 UTC is 10.32 in Kutai Kartanegara (WITA, UTC+8)
    assert tanggal_waktu(datetime(2026, 8, 17, 2, 32, tzinfo=UTC)) == "17 Agustus 2026 10.32"
    assert tanggal(None) == "—"


def test_money_and_numbers_use_dots_between_thousands_and_a_decimal_comma() -> None:
    assert rupiah(1_500_000) == "Rp 1.500.000"
    assert rupiah(753_332) == "Rp 753.332"
    assert rupiah(0) == "Rp 0"
    assert rupiah(-25_000) == "-Rp 25.000"
    assert angka(1234) == "1.234" and angka(1_234_567) == "1.234.567"
    assert desimal(12.5) == "12,5" and desimal(Decimal("1234.56")) == "1.234,6"
    assert persen(0.753) == "75,3%" and persen(None) == "—"


@pytest.mark.parametrize("typed", ["1.500.000", "1500000", "Rp 1.500.000", "rp1.500.000", "Rp. 1.500.000",
                                   "1.500.000,00", " 1 500 000 ", "Rp1500000"])
def test_money_typed_with_or_without_dots(typed: str) -> None:
    assert parse_rupiah(typed, field="modal") == 1_500_000


@pytest.mark.parametrize(("typed", "message"), [
    ("satu juta", "Tulis jumlah uang dengan angka"),
    ("1.500.000,50", "tidak boleh memakai sen"),
    ("1,5", "tidak boleh memakai sen"),
    ("15.00.000", "Tulis jumlah uang dengan angka"),
    ("", "wajib diisi"),
])
def test_money_that_is_not_whole_rupiah_is_refused_naming_the_field(typed: str, message: str) -> None:
    with pytest.raises(errors.Invalid) as refused:
        parse_rupiah(typed, field="modal")
    assert message in refused.value.pesan
    assert refused.value.errors[0].field == "modal"


def test_an_optional_empty_amount_is_none() -> None:
    assert parse_rupiah("  ", field="modal", required=False) is None


@pytest.mark.parametrize("typed", ["2026-08-17", "17/08/2026", "17-08-2026", "17 Agustus 2026", "17 agustus  2026"])
def test_dates_typed_several_ways(typed: str) -> None:
    assert parse_tanggal(typed, field="tanggal") == date(2026, 8, 17)


@pytest.mark.parametrize("typed", ["31/02/2026", "17 Agust 2026", "kemarin", "2026-13-01"])
def test_impossible_dates_are_refused(typed: str) -> None:
    with pytest.raises(errors.Invalid) as refused:
        parse_tanggal(typed, field="tanggal")
    assert refused.value.errors[0].field == "tanggal" and "Tanggal" in refused.value.pesan


def test_field_ids_are_safe_for_html_and_links() -> None:
    assert field_id("records.0.present") == "f-records-0-present"
    assert field_id("nama") == "f-nama"


def test_macros_tie_errors_to_fields_and_escape_what_they_show() -> None:
    env = environment(None)
    env.globals["asset"] = lambda name: f"/static/ui/{name}"
    forms = env.get_template("ui/macros/forms.html").module
    html = str(forms.field("nama", "Nama", value='"><script>x</script>', errors={"nama": "Nama <b>wajib</b>"},
                           hint="Sesuai KTP", required=True))
    assert 'aria-describedby="f-nama-hint f-nama-error"' in html and 'aria-invalid="true"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;wajib&lt;/b&gt;" in html
    summary = str(forms.error_summary({"nama": "Nama wajib diisi", "_form": "NIK sudah terdaftar"}))
    assert '<a href="#f-nama">Nama wajib diisi</a>' in summary and "NIK sudah terdaftar" in summary
    assert str(forms.error_summary({})).strip() == ""
    money = str(forms.money("modal", "Modal", value=2_500_000))
    assert 'value="2.500.000"' in money and 'inputmode="numeric"' in money
    tables = env.get_template("ui/macros/tables.html").module
    table = str(tables.table("t", "Uji", ["Kecamatan", "Jumlah"], [["Tenggarong", "1.234"]], numeric=[1]))
    assert '<th scope="row">Tenggarong</th>' in table and '<td class="num">1.234</td>' in table
    assert 'role="region"' in table and 'tabindex="0"' in table
    assert "Belum ada data." in str(tables.table("e", "Kosong", ["A"], []))
    pages = str(tables.pagination(2, 5, lambda n: Markup(f"/x?page={n}")))
    assert 'href="/x?page=1" rel="prev"' in pages and "Halaman 2 dari 5" in pages and 'rel="next"' in pages
