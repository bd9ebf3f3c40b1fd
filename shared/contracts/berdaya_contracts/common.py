"""Field types shared by every event contract.

Events never carry a NIK, KK number, name, phone, street address or exact birth date: people and
organisations appear only as random refs minted by the owning service, with codes and bands.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

OPD = Literal["dp3a", "disperindag", "diskop_ukm", "distransnaker"]

KecamatanCode = Annotated[
    str,
    Field(
        pattern=r"^64\.02\.(0[1-9]|1[0-9]|20)$",
        description="Kode Kemendagri kecamatan di Kutai Kartanegara, 64.02.01 sampai 64.02.20",
        examples=["64.02.06"],
    ),
]
# Kutai Kartanegara's 20 kecamatan, code -> name (Kemendagri codes; deploy/kecamatan.csv). Codes are what events
# carry; the names are for people reading figures and pages.
KECAMATAN: dict[str, str] = {
    "64.02.01": "Muara Muntai", "64.02.02": "Loa Kulu", "64.02.03": "Loa Janan", "64.02.04": "Anggana",
    "64.02.05": "Muara Badak", "64.02.06": "Tenggarong", "64.02.07": "Sebulu", "64.02.08": "Kota Bangun",
    "64.02.09": "Kenohan", "64.02.10": "Kembang Janggut", "64.02.11": "Muara Kaman", "64.02.12": "Tabang",
    "64.02.13": "Samboja", "64.02.14": "Muara Jawa", "64.02.15": "Sanga Sanga", "64.02.16": "Tenggarong Seberang",
    "64.02.17": "Marang Kayu", "64.02.18": "Muara Wis", "64.02.19": "Kota Bangun Darat", "64.02.20": "Samboja Barat",
}
DesaCode = Annotated[
    str,
    Field(
        pattern=r"^64\.02\.(0[1-9]|1[0-9]|20)\.[12]\d{3}$",
        description="Kode Kemendagri desa (2xxx) atau kelurahan (1xxx) di Kutai Kartanegara",
        examples=["64.02.06.1001"],
    ),
]
AgeBand = Literal["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
PekkaCategory = Literal["none", "productive", "child_marriage_risk", "elderly"]
Sector = Literal[
    "kuliner", "kerajinan", "fesyen", "pertanian", "perikanan", "perdagangan", "jasa", "industri_kreatif", "lainnya"
]
Rupiah = Annotated[int, Field(ge=0, le=1_000_000_000_000, description="Whole Rupiah")]
Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Bulan, YYYY-MM", examples=["2025-03"])]


class Payload(BaseModel):
    """Base of every event payload.

    Strict for producers: constructing a payload with an unknown field fails. Consumers decode with
    ``extra="ignore"`` (see ``catalog.decode``) so a producer may add fields without breaking them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


def age_band(birth: date, on: date) -> AgeBand:
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if years < 18:
        return "<18"
    for upper, band in ((24, "18-24"), (34, "25-34"), (44, "35-44"), (54, "45-54"), (64, "55-64")):
        if years <= upper:
            return band  # type: ignore[return-value]
    return "65+"
