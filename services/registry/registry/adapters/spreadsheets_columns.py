"""The columns of a women list: the names offices give them, matched to the registry's fields.

A header cell is matched after dropping case, spacing, punctuation and anything in parentheses ("Tanggal Lahir
(DD-MM-YYYY)" is "tanggal_lahir"). Every titled column must be one we know, once; a column we would ignore (a typo
such as "Telpon", or data the registry does not keep) would silently lose its data, so the file is refused naming the
column and, when it resembles a known one, that name.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no_nik", "nomor_nik", "nomor_induk_kependudukan", "nik_ktp", "no_ktp", "nomor_ktp"),
    "full_name": ("nama", "nama_lengkap", "name", "full_name", "nama_peserta", "nama_penerima", "nama_perempuan",
                  "nama_sesuai_ktp", "nama_lengkap_sesuai_ktp"),
    "birth_date": ("tanggal_lahir", "tgl_lahir", "tgl_lhr", "birth_date", "tanggal_lahir_sesuai_ktp", "ttl",
                   "tempat_tanggal_lahir", "tempat_tgl_lahir", "tempat_dan_tanggal_lahir"),
    "phone": ("telepon", "no_telepon", "nomor_telepon", "telp", "no_telp", "no_hp", "nomor_hp", "hp", "handphone",
              "no_handphone", "wa", "no_wa", "nomor_wa", "whatsapp", "no_whatsapp", "nomor_whatsapp", "no_hp_wa", "phone"),
    "kecamatan_code": ("kecamatan", "kode_kecamatan", "nama_kecamatan", "kec", "kecamatan_code"),
    "desa_code": ("desa", "kelurahan", "desa_kelurahan", "kelurahan_desa", "desa_kel", "kel_desa", "kode_desa",
                  "kode_desa_kelurahan", "nama_desa", "nama_desa_kelurahan", "desa_code"),
    "household_size": ("jumlah_anggota_keluarga", "jumlah_anggota_rumah_tangga", "anggota_keluarga",
                       "jml_anggota_keluarga", "jumlah_art", "jml_art", "jumlah_jiwa", "jumlah_anggota",
                       "household_size"),
    "pekka_category": ("kategori_pekka", "pekka", "pekka_category", "kategori"),
    "registered_on": ("tanggal_pendaftaran", "tgl_pendaftaran", "tanggal_daftar", "tgl_daftar", "tanggal_terdaftar",
                      "tanggal_registrasi", "registered_on"),
    "monthly_household_income_idr": (
        "pendapatan", "pendapatan_rumah_tangga", "pendapatan_per_bulan", "pendapatan_rumah_tangga_per_bulan",
        "pendapatan_keluarga", "penghasilan", "penghasilan_per_bulan", "penghasilan_keluarga",
        "penghasilan_rumah_tangga", "monthly_household_income_idr"),
    "assessed_on": ("tanggal_penilaian", "tgl_penilaian", "tanggal_pendataan", "tgl_pendataan", "assessed_on"),
}
IGNORED = ("no", "no_urut", "nomor", "nomor_urut", "nmr")  # the list's own numbering
REQUIRED = ("nik", "full_name", "birth_date", "kecamatan_code", "household_size")
# The column name each field is documented under (the upload's description), for messages.
DISPLAY = {"nik": "NIK", "full_name": "Nama", "birth_date": "Tanggal Lahir", "phone": "Telepon",
           "kecamatan_code": "Kecamatan", "desa_code": "Desa/Kelurahan", "household_size": "Jumlah Anggota Keluarga",
           "pekka_category": "Kategori PEKKA", "registered_on": "Tanggal Pendaftaran",
           "monthly_household_income_idr": "Pendapatan Rumah Tangga per Bulan", "assessed_on": "Tanggal Penilaian"}
_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


class SheetError(ValueError):
    """The file cannot be used as a whole: what is wrong (``pesan``), why (``detail``), what to do (``fix``)."""

    def __init__(self, pesan: str, detail: str, fix: str = "") -> None:
        super().__init__(pesan)
        self.pesan = pesan + (f". {fix}" if fix else "")
        self.detail = detail


@dataclass(frozen=True)
class Column:
    field: str | None  # None: the list's numbering, ignored
    title: str  # as the sheet writes it


def header_key(value: Any) -> str:
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(value or "")).strip().casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def header_fields(cells: Iterable[Any]) -> set[str]:
    """The known fields a row would map to, if it were the header."""
    return {_BY_ALIAS[k] for k in map(header_key, cells) if k in _BY_ALIAS}


def _shown(cell: Any) -> str:
    """A header cell as quoted in a message: printable, short."""
    text = "".join(ch for ch in str(cell) if ch.isprintable()).strip()
    return text[:40] + ("…" if len(text) > 40 else "")


def _resembles(key: str) -> str | None:
    found = process.extractOne(key, list(_BY_ALIAS), scorer=fuzz.ratio, score_cutoff=75)
    return DISPLAY[_BY_ALIAS[found[0]]] if found else None


def map_header(cells: list[Any]) -> dict[int, Column]:
    """Column index -> Column. Raises SheetError for a missing required, an unknown or a repeated column."""
    mapping: dict[int, Column] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for i, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            continue  # an untitled column; data under it refuses the file (spreadsheets.read)
        name = _BY_ALIAS.get(key)
        if name is None and key in IGNORED:
            mapping[i] = Column(None, str(cell).strip())
        elif name is None:
            like = _resembles(key)
            unknown.append(f"'{_shown(cell)}'" + (f" (maksud Anda '{like}'?)" if like else ""))
        elif name in {c.field for c in mapping.values()}:
            repeated.append(f"'{_shown(cell)}'")
        else:
            mapping[i] = Column(name, _shown(cell))
    missing = [f for f in REQUIRED if f not in {c.field for c in mapping.values()}]
    problems, details = [], []
    if missing:
        problems.append("kolom wajib tidak ditemukan: " + ", ".join(DISPLAY[f] for f in missing))
        details.append(f"missing required columns: {', '.join(missing)}")
    if unknown:
        problems.append("kolom tidak dikenal: " + ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""))
        details.append(f"{len(unknown)} unknown column(s)")
    if repeated:
        problems.append("kolom ganda: " + ", ".join(repeated[:10]))
        details.append(f"{len(repeated)} repeated column(s)")
    if problems:
        raise SheetError("Baris judul tidak sesuai (" + "; ".join(problems) + ")", "; ".join(details),
                         "Kolom yang diterima: " + ", ".join(DISPLAY.values()) + " (kolom No diabaikan); "
                         "data yang tidak disimpan registri (mis. alamat) hapus dari berkas")
    return mapping
