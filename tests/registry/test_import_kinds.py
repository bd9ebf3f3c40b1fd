"""Each kind of file and mistake offices really produce, one small file (invented people) each: the value stored,
or the message with its fix."""

import random
from datetime import date

import httpx

from tests.registry.helpers import nik_for, unique_name, woman_body
from tests.registry.import_files import csv_bytes, imported, report, woman_by_nik, xlsx_bytes

rng = random.Random(20261130)
SERIALS = iter(range(5101, 9999))


def nik(birth: date, area: str = "640215") -> str:
    return nik_for(birth, next(SERIALS), area=area)


async def test_a_list_with_title_rows_numbering_and_an_instruction_sheet_is_read_as_the_office_wrote_it(
    client: httpx.AsyncClient,
) -> None:
    born = date(1988, 8, 17)
    first, second = nik(born), nik(date(1990, 1, 5))
    data = xlsx_bytes(
        ("Petunjuk", [["Cara mengisi: satu baris satu orang"], ["NIK ditulis sebagai teks"]]),
        ("Peserta", [["DAFTAR PESERTA PELATIHAN KECAMATAN SANGA SANGA TAHUN 2024"], [],
                     ["No", "NIK", "Nama Lengkap", "Tempat/Tgl Lahir", "Kecamatan", "Desa/Kel", "Jml ART", "No. HP",
                      "Pekka"],
                     [1, 2, 3, 4, 5, 6, 7, 8, 9],
                     [1, first, "Nur Hidayah", "Sanga Sanga, 17 Agustus 1988", "Sangasanga", "Sanga-Sanga Dalam",
                      "4 orang", 81234567801, "Pekka Lansia"],
                     [2, second, "Siti Aisyah", "05 Jan 1990", "Kec. Sanga-Sanga", "Jawa", 3, "0812-3456-7802", ""],
                     [3]]),
        text_columns=(2,))
    summary = await imported(client, "peserta-2024.xlsx", data)
    assert (summary["sheet_name"], summary["header_row"], summary["registered"], summary["rows_total"]) == (
        "Peserta", 3, 2, 2)
    assert summary["columns"]["birth_date"] == "Tempat/Tgl Lahir" and summary["columns"]["phone"] == "No. HP"
    one, two = await woman_by_nik(client, first), await woman_by_nik(client, second)
    assert one is not None and two is not None
    assert (one["birth_date"], one["kecamatan_code"], one["desa_code"], one["household_size"], one["phone"],
            one["pekka_category"]) == ("1988-08-17", "64.02.15", "64.02.15.1003", 4, "+6281234567801", "elderly")
    assert (two["birth_date"], two["desa_code"], two["phone"], two["pekka_category"]) == (
        "1990-01-05", "64.02.15.1001", "+6281234567802", "none")


async def test_csv_encodings_offices_save_keep_the_name_as_typed(client: httpx.AsyncClient) -> None:
    header = ["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga"]
    cases = {"cp1252": ("Nur’aini", "cp1252", ";"), "utf-16": ("Nur’aini Andréa", "utf-16", "\t"),
             "utf-8-sig": ("Siti Nur’aini", "utf-8-sig", ","), "utf-8": ("Dewi Ayu’ningsih", "utf-8", ",")}
    for label, (name, encoding, delimiter) in cases.items():
        number = nik(date(1985, 3, 9))
        data = csv_bytes([header, [number, name, "09-03-1985", "Sanga Sanga", "2"]], delimiter=delimiter,
                         encoding=encoding)
        summary = await imported(client, f"daftar-{label}.csv", data)
        assert summary["registered"] == 1, (label, summary, await report(client, summary))
        assert summary["encoding"].replace("_", "-").startswith(encoding[:5]), (label, summary["encoding"])
        stored = await woman_by_nik(client, number)
        assert stored is not None and stored["full_name"] == name, label


async def test_numbers_that_went_through_excel_are_refused_with_the_fix(client: httpx.AsyncClient) -> None:
    header = ["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga"]
    good = nik(date(1980, 2, 2))
    rounded = good[:-1] + "0"
    data = csv_bytes([header, ["6,40215E+15", unique_name(rng), "02/02/1980", "Sanga Sanga", 3],
                      [f"{good}.0", unique_name(rng), "02/02/1980", "Sanga Sanga", 3]])
    summary = await imported(client, "excel.csv", data)
    assert (summary["registered"], summary["rejected"]) == (0, 2)
    lines = await report(client, summary)
    assert [(r[0], r[1], r[2]) for r in lines] == [("2", "NIK", "ditolak"), ("3", "NIK", "ditolak")]
    assert "notasi ilmiah" in lines[0][3] and "desimal" in lines[1][3]
    assert all(r[4].startswith("Format kolom NIK sebagai Teks") for r in lines)

    # A CSV has no cell types: a NIK that lost its last digit before it was saved can only be caught by what
    # disagrees. The first woman is registered under the damaged NIK; the next with the same number is another
    # woman: reported, never counted as already registered.
    first = await imported(client, "a.csv", csv_bytes([header, [rounded, "Siti Rahmawati", "02/02/1980", "Sanga Sanga",
                                                                3]]))
    assert first["registered"] == 1
    second = await imported(client, "b.csv", csv_bytes([header, [rounded, "Wulan Sari", "02/02/1980", "Sanga Sanga", 3],
                                                        [rounded, "Siti Rahmawati", "02-02-1980", "Sanga Sanga", 3]]))
    assert (second["registered"], second["already_registered"], second["reported"]) == (0, 0, 2)
    assert "ketik ulang" in (await report(client, second))[0][4]
    # Two women in one file whose NIKs Excel rounded to the same number: both reported, neither registered.
    both = nik(date(1991, 6, 6))[:-1] + "0"
    twins = await imported(client, "c.csv", csv_bytes([header, [both, "Ani Lestari", "06/06/1991", "Sanga Sanga", 2],
                                                       [both, "Rina Kartika", "06/06/1991", "Sanga Sanga", 2]]))
    assert (twins["registered"], twins["reported"]) == (0, 2)
    lines = await report(client, twins)
    assert [r[0] for r in lines] == ["2", "3"] and "baris 3" in lines[0][3] and "baris 2" in lines[1][3]


async def test_a_ktp_birth_date_differing_from_the_nik_is_held_then_registered_when_confirmed(
    client: httpx.AsyncClient,
) -> None:
    in_nik = date(1979, 12, 20)
    number = nik(in_nik)
    data = csv_bytes([["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga"],
                      [number, "Hasnah Wati", "21/12/1979", "Sanga Sanga", 5]])
    summary = await imported(client, "ktp.csv", data)
    assert (summary["registered"], summary["held"]) == (0, 1)
    assert [r[1:3] for r in await report(client, summary)] == [["Tanggal Lahir", "ditahan: perlu konfirmasi"]]
    held = (await client.get(summary["held_rows"])).json()["items"]
    assert held[0]["birth_date"] == "1979-12-21" and held[0]["birth_date_in_nik"] == "1979-12-20"
    decided = await client.post(f"/women/imports/{summary['import_ref']}/held/2",
                                json={"confirm": ["confirm_birth_date_differs_from_nik"]})
    assert decided.status_code == 200, decided.text
    woman = await woman_by_nik(client, number)
    assert woman is not None and woman["birth_date"] == "1979-12-21"
    assert woman["needs_verification"] == ["birth_date_differs_from_nik"]
    after = (await client.get(f"/women/imports/{summary['import_ref']}")).json()
    assert (after["registered"], after["held"]) == (1, 0)


async def test_the_api_takes_the_same_confirmation_and_a_woman_born_in_december_1926(client: httpx.AsyncClient) -> None:
    body = woman_body(rng, birth=date(1975, 5, 5))
    body["birth_date"] = "1975-05-06"
    refused = await client.post("/women", json=body)
    assert refused.status_code == 422 and refused.json()["confirm"] == "confirm_birth_date_differs_from_nik"
    created = await client.post("/women", json={**body, "confirm_birth_date_differs_from_nik": True})
    assert created.status_code == 201 and created.json()["needs_verification"] == ["birth_date_differs_from_nik"]
    elder = woman_body(rng, birth=date(1926, 12, 3), pekka_category="elderly")
    answer = await client.post("/women", json={**elder, "registered_on": "2026-11-01"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["birth_date"] == "1926-12-03" and answer.json()["age_band"] == "65+"
    too_old = await client.post("/women", json=woman_body(rng, birth=date(1919, 1, 1)))
    assert too_old.status_code == 422 and "10 sampai 105" in too_old.json()["pesan"]


async def test_an_income_written_in_thousands_is_held_and_the_api_asks_for_confirmation(
    client: httpx.AsyncClient,
) -> None:
    number = nik(date(1983, 7, 7))
    data = csv_bytes([["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga", "Pendapatan (Rp)",
                       "Tanggal Penilaian"],
                      [number, "Marlina Sari", "07-07-1983", "Sanga Sanga", 4, "800", "01/08/2024"]])
    summary = await imported(client, "pendapatan.csv", data)
    assert summary["held"] == 1
    (line,) = await report(client, summary)
    assert line[1] == "Pendapatan (Rp)" and "Rp 800.000" in line[3]
    decided = await client.post(f"/women/imports/{summary['import_ref']}/held/2",
                                json={"monthly_household_income_idr": 800000})
    assert decided.status_code == 200, decided.text
    ref = decided.json()["person_ref"]
    (baseline,) = (await client.get(f"/women/{ref}/welfare-assessments")).json()
    assert (baseline["monthly_household_income_idr"], baseline["assessed_on"], baseline["is_baseline"]) == (
        800000, "2024-08-01", True)
    low = {"assessed_on": "2025-02-01", "household_size": 4, "monthly_household_income_idr": 900}
    refused = await client.post(f"/women/{ref}/welfare-assessments", json=low)
    assert refused.status_code == 422 and "Rp 900.000" in refused.json()["pesan"]
    confirmed = await client.post(f"/women/{ref}/welfare-assessments", json={**low, "confirm_low_income": True})
    assert confirmed.status_code == 201 and confirmed.json()["monthly_household_income_idr"] == 900


async def test_messages_name_the_column_as_written_and_the_allowed_values(client: httpx.AsyncClient) -> None:
    header = ["NIK KTP", "Nama Peserta", "Tgl Lahir", "Kec", "Desa", "Jumlah Jiwa", "Kategori PEKKA", "WA"]
    ok_nik = nik(date(1987, 9, 9))
    data = csv_bytes([header,
                      [nik(date(1987, 9, 9)), unique_name(rng), "09/09/1987", "Sanga Sanga", "", "4 orang", "Ya", ""],
                      [nik(date(1987, 9, 9)), unique_name(rng), "09/09/1987", "Sangasang", "", 4, "", ""],
                      [nik(date(1987, 9, 9)), unique_name(rng), "9 Sep 1987", "Sanga Sanga", "", "empat", "", ""],
                      [ok_nik, unique_name(rng), "09.09.87", "Sanga Sanga", "Desa Khayalan", 4, "", "0812"]])
    summary = await imported(client, "pesan.csv", data)
    assert (summary["registered"], summary["rejected"], summary["with_warnings"]) == (1, 3, 1)
    lines = {(r[0], r[1]): r for r in await report(client, summary)}
    pekka = lines[("2", "Kategori PEKKA")]
    assert pekka[3] == "Kategori PEKKA 'Ya' tidak dikenal"
    assert pekka[4] == "Pilih salah satu: Bukan PEKKA, Produktif, Rawan perkawinan anak, Lansia"
    assert "Maksud Anda: 'Sanga Sanga'?" in lines[("3", "Kec")][4]
    assert lines[("4", "Jumlah Jiwa")][3] == "Harus berupa angka"
    assert lines[("5", "Desa")][2] == lines[("5", "WA")][2] == "peringatan: tetap didaftarkan"
    woman = await woman_by_nik(client, ok_nik)
    assert woman is not None and (woman["birth_date"], woman["desa_code"], woman["phone"]) == ("1987-09-09", None,
                                                                                              None)
