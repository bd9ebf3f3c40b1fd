"""A fuzz test over the import: random sheets (CSV or XLSX) mixing valid rows, written the many ways offices write
them, with each kind of damage. Whatever the mix: no 5xx, every row ends in exactly one outcome (registered,
already registered, refused, held or reported — none dropped), and every woman registered holds exactly what a
careful clerk would have typed."""

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.registry.helpers import FIRST, LAST, nik_for
from tests.registry.import_files import csv_bytes, imported, report, woman_by_nik, xlsx_bytes

HEADER = ["No", "NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Desa/Kelurahan", "Jumlah Anggota Keluarga",
          "Kategori PEKKA", "No HP"]
SERIALS = itertools.count(1)
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]
PLACES = [("64.02.15", "Sangasanga", "64.02.15.1003", "Sanga-Sanga Dalam"), ("64.02.06", "Tenggarong",
          "64.02.06.1001", "Jahab"), ("64.02.13", "Kec. Samboja", "64.02.13.1010", "Samboja Kuala")]
PEKKA = [("none", ""), ("productive", "Produktif"), ("child_marriage_risk", "Rawan Perkawinan Anak"),
         ("elderly", "PEKKA Lansia")]
DAMAGE = ["none", "none", "none", "numeric_nik", "scientific_nik", "male_nik", "pekka_ya", "household_zero",
          "unknown_kecamatan", "bad_phone", "unknown_desa", "ktp_date", "repeat"]
OUTCOME = {"none": "registered", "bad_phone": "registered", "unknown_desa": "registered", "numeric_nik": "refused",
           "scientific_nik": "refused", "male_nik": "refused", "pekka_ya": "refused", "household_zero": "refused",
           "unknown_kecamatan": "refused", "ktp_date": "held", "repeat": "reported"}


@dataclass
class Row:
    nik: str
    name: str
    birth: date
    place: tuple[str, str, str, str]
    household: int
    pekka: tuple[str, str]
    phone: str
    damage: str
    style: int
    cells: list[Any] = field(default_factory=list)

    def written(self, xlsx: bool) -> list[Any]:
        b, s = self.birth, self.style
        birth: Any = [f"{b.day:02d}/{b.month:02d}/{b.year}", f"{b.day} {MONTHS[b.month - 1]} {b.year}",
                      f"{b.day:02d}-{b.month:02d}-{b.year % 100:02d}", b.isoformat()][s % 4]
        if xlsx and s % 5 == 4:
            birth = b  # a date cell
        kecamatan = self.place[1] if s % 2 else self.place[0]
        desa = self.place[3] if s % 3 else self.place[2]
        household: Any = self.household if s % 2 else f"{self.household} orang"
        phone: Any = int(self.phone[1:]) if xlsx and s % 3 == 0 else self.phone
        nik: Any = self.nik
        if self.damage == "numeric_nik":
            nik = int(self.nik) if xlsx else f"{self.nik}.0"
        elif self.damage == "scientific_nik":
            nik = f"{self.nik[0]},{self.nik[1:6]}E+15"
        elif self.damage == "male_nik":
            nik = self.nik[:6] + f"{self.birth.day:02d}" + self.nik[8:]
        elif self.damage == "ktp_date":
            other = date(b.year, b.month, b.day % 27 + 1)
            birth = f"{other.day:02d}/{other.month:02d}/{other.year}"
        if self.damage == "pekka_ya":
            pekka = "Ya"
        else:
            pekka = self.pekka[1]
        if self.damage == "household_zero":
            household = 0
        if self.damage == "unknown_kecamatan":
            kecamatan = "Kecamatan Khayalan"
        if self.damage == "bad_phone":
            phone = "08123"
        if self.damage == "unknown_desa":
            desa = "Desa Antah Berantah"
        return [None, nik, self.name, birth, kecamatan, desa, household, pekka, phone]


@st.composite
def sheets(draw: st.DrawFn) -> tuple[bool, list[Row]]:
    xlsx = draw(st.booleans())
    rows: list[Row] = []
    for _ in range(draw(st.integers(1, 12))):
        birth = date(draw(st.integers(1950, 2005)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
        damage = draw(st.sampled_from(DAMAGE))
        serial = next(SERIALS)
        tag = "".join(chr(97 + (serial // 26 ** i) % 26) for i in range(4)).capitalize()
        if damage == "repeat" and rows:
            source = draw(st.sampled_from(rows))
            if source.damage in ("none", "bad_phone", "unknown_desa"):
                rows.append(Row(**{**source.__dict__, "damage": "repeat", "cells": []}))
                continue
            damage = "none"
        elif damage == "repeat":
            damage = "none"
        rows.append(Row(
            nik=nik_for(birth, 1000 + serial % 9000, area=f"64{serial // 9000 % 90 + 10:02d}15"),
            name=f"{draw(st.sampled_from(FIRST))} {tag} {draw(st.sampled_from(LAST))}", birth=birth,
            place=draw(st.sampled_from(PLACES)), household=draw(st.integers(1, 12)), pekka=draw(st.sampled_from(PEKKA)),
            phone=f"0812{serial % 10**8:08d}", damage=damage, style=draw(st.integers(0, 29))))
    return xlsx, rows


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(drawn=sheets())
async def test_any_mix_of_rows_ends_each_in_one_outcome_with_the_values_a_clerk_typed(
    client: httpx.AsyncClient, drawn: tuple[bool, list[Row]]
) -> None:
    xlsx, rows = drawn
    body = [HEADER, *(row.written(xlsx) for row in rows)]
    data = xlsx_bytes(("Daftar", [["DAFTAR PENERIMA 2025"], *body]), text_columns=(2,)) if xlsx else csv_bytes(body)
    summary = await imported(client, "acak.xlsx" if xlsx else "acak.csv", data)
    assert summary["status"] == "done"
    first_row = 3 if xlsx else 2
    expected = [OUTCOME[r.damage] for r in rows]
    counts = {k: summary[k] for k in ("registered", "already_registered", "rejected", "held", "reported")}
    assert sum(counts.values()) == summary["rows_total"] == summary["rows_read"] == len(rows), summary
    assert (counts["registered"], counts["rejected"], counts["held"], counts["reported"]) == (
        expected.count("registered"), expected.count("refused"), expected.count("held"), expected.count("reported"))

    lines = await report(client, summary)
    outcome_of = {int(line[0]): line[2] for line in lines if not line[2].startswith("peringatan")}
    for number, (row, outcome) in enumerate(zip(rows, expected, strict=True), start=first_row):
        if outcome == "refused":
            assert outcome_of.get(number) == "ditolak", (number, row.damage, lines)
        elif outcome == "held":
            assert outcome_of.get(number, "").startswith("ditahan"), (number, row.damage, lines)
        elif outcome == "reported":
            assert outcome_of.get(number, "").startswith("dilaporkan"), (number, row.damage, lines)
        stored = await woman_by_nik(client, row.nik)
        if outcome != "registered":
            if row.damage != "repeat":
                assert stored is None, (row.damage, stored)
            continue
        assert stored is not None, (number, row.damage, lines)
        assert (stored["full_name"], stored["birth_date"], stored["kecamatan_code"], stored["household_size"],
                stored["pekka_category"]) == (row.name, row.birth.isoformat(), row.place[0], row.household,
                                              row.pekka[0])
        assert stored["desa_code"] == (None if row.damage == "unknown_desa" else row.place[2])
        assert stored["phone"] == (None if row.damage == "bad_phone" else "+62" + row.phone[1:])
