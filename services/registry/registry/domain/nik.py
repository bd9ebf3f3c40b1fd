"""NIK (Nomor Induk Kependudukan) rules: 16 digits = province, regency, kecamatan of first registration,
birth date DDMMYY (40 added to the day for women), 4-digit serial. No check digit exists.

A NIK registered outside Kukar is accepted: the registry counts women by domicile, not by NIK area.
A broken rule raises ``berdaya_shared.errors.Invalid`` naming the field (``nik``, or ``birth_date`` when the
declared birth date contradicts the NIK and nobody confirmed it). Two-digit years: the NIK's is read as the
latest year that is not in the future (a woman born in December 1926 is not "born in the future" in 2026); a
declared birth date settles the century.
"""

from dataclasses import dataclass
from datetime import date

from berdaya_shared.errors import Invalid

# The 38 Kemendagri province codes (Permendagri 2022/2023 list, Papua's new provinces 93-96 included).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
     71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96}
)


@dataclass(frozen=True)
class Nik:
    value: str
    province_code: int
    birth_date: date

    @property
    def masked(self) -> str:
        return mask(self.value)


def mask(value: str) -> str:
    """What staff see of a NIK: the first four and the last four digits."""
    return value[:4] + "*" * 8 + value[-4:]


def normalise(raw: str) -> str:
    return "".join(raw.split()).replace(".", "").replace("-", "")


def _refused(pesan: str, detail: str, field: str = "nik") -> Invalid:
    return Invalid(pesan, detail, field=field)


def parse(raw: str, *, today: date) -> Nik:
    """The NIK's digits with their province and the birth date they encode; raises Invalid (field ``nik``)."""
    value = normalise(raw)
    if not value.isdigit() or not value.isascii():
        raise _refused("NIK hanya boleh berisi angka", "NIK must contain digits only")
    if len(value) != 16:
        raise _refused(f"NIK harus tepat 16 digit (tertulis {len(value)} digit)", "NIK must be exactly 16 digits")
    province = int(value[:2])
    if province not in PROVINCE_CODES:
        raise _refused(
            f"Kode provinsi {value[:2]} pada NIK tidak dikenal", "unknown Kemendagri province code in NIK"
        )
    if value[2:4] == "00" or value[4:6] == "00":
        raise _refused("Kode kabupaten/kota atau kecamatan pada NIK tidak valid", "regency or district code is 00")
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if 1 <= day <= 31:
        raise _refused(
            "NIK ini adalah NIK laki-laki (tanggal lahir pada NIK 01–31); NIK perempuan bertanggal 41–71",
            "NIK day part 01-31 denotes a man; a woman's NIK has 41-71",
        )
    if not 41 <= day <= 71:
        raise _refused("Tanggal lahir pada NIK tidak valid (harus 41–71 untuk perempuan)", "NIK day part not 41-71")
    try:
        birth = date(2000 + yy, month, day - 40)
        if birth > today:  # a two-digit year is the latest one not in the future: 12/26 read in 11/2026 is 1926
            birth = date(1900 + yy, month, day - 40)
    except ValueError:
        raise _refused("Tanggal lahir pada NIK bukan tanggal yang ada", "NIK birth date is impossible") from None
    if value[12:] == "0000":
        raise _refused("Nomor urut NIK tidak boleh 0000", "NIK serial 0000 does not exist")
    return Nik(value, province, birth)


def birth_date_differs(nik: Nik, birth_date: date) -> bool:
    """Whether the declared birth date (the KTP's) is not the one written into the NIK (day, month, two-digit
    year). That can be lawful: Dukcapil corrects a birth date on the KTP but never changes a NIK."""
    return (nik.birth_date.day, nik.birth_date.month, nik.birth_date.year % 100) != (
        birth_date.day, birth_date.month, birth_date.year % 100)


CONFIRM_BIRTH_DATE = "confirm_birth_date_differs_from_nik"


def check_birth_date(nik: Nik, birth_date: date, *, confirmed: bool = False) -> bool:
    """True when the declared birth date differs from the NIK's and the officer confirmed it is the KTP's (the
    record is then flagged for verification); raises Invalid (field ``birth_date``) when it differs unconfirmed."""
    if not birth_date_differs(nik, birth_date):
        return False
    if confirmed:
        return True
    raise Invalid(
        "Tanggal lahir tidak sesuai dengan tanggal lahir yang tertulis di NIK. Periksa keduanya; bila tanggal lahir "
        "di KTP memang berbeda (NIK tidak pernah diubah Dukcapil), konfirmasi bahwa tanggal lahir ini sesuai KTP: "
        "data didaftarkan dan ditandai untuk verifikasi",
        "birth_date does not match the birth date encoded in the NIK; confirm it is the KTP's with "
        f"{CONFIRM_BIRTH_DATE}", field="birth_date", confirm=CONFIRM_BIRTH_DATE,
    )
