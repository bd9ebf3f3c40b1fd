"""What a valid woman's record is, field by field: one definition for ``POST /women`` (its API schema extends it)
and for every row of a bulk import, so the two can never validate a woman differently.

Each field rule is the domain's (``domain.nik``, ``domain.women``); here they become pydantic validators, so a form
gets every field's problem at once, each in Bahasa Indonesia. The NIK is parsed here, once: the field holds the
parsed ``Nik`` from then on.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from berdaya_contracts.common import OPD, DesaCode, KecamatanCode, PekkaCategory
from berdaya_shared import clock
from berdaya_shared.errors import Refusal
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..domain import nik, women
from ..domain.women import NewWoman


def _rule(check: Callable[[Any], Any]) -> AfterValidator:
    """A domain rule as a field validator: its refusal's Indonesian message becomes the field's error."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except Refusal as err:
            raise ValueError(err.pesan) from None

    return AfterValidator(validate)


NikText = Annotated[
    str,
    _rule(lambda value: nik.parse(value, today=clock.today())),  # the value becomes a parsed domain.nik.Nik
    Field(description="NIK 16 digit sesuai KTP/KK. Digit 7-8 = tanggal lahir + 40 (NIK perempuan: 41-71).",
          examples=["6402064508850003"]),
]
FullName = Annotated[str, _rule(women.clean_name)]
Phone = Annotated[str | None, _rule(women.clean_phone)]
BirthDate = Annotated[date, _rule(lambda value: women.check_birth_date(value, today=clock.today()))]


class WomanFields(BaseModel):
    """A woman's record as an OPD writes it on a form or a list row."""

    model_config = ConfigDict(extra="forbid")

    nik: NikText
    full_name: FullName = Field(description="Nama lengkap sesuai KTP", examples=["Siti Aminah"])
    birth_date: BirthDate = Field(description="Tanggal lahir sesuai KTP (YYYY-MM-DD); bila berbeda dengan tanggal pada "
                                              "NIK, perlu confirm_birth_date_differs_from_nik")
    phone: Phone = Field(None, description="Nomor HP/telepon (opsional)", examples=["081234567890"])
    kecamatan_code: KecamatanCode = Field(description="Kecamatan domisili (kode Kemendagri)")
    desa_code: DesaCode | None = Field(None, description="Desa/kelurahan domisili (kode Kemendagri)")
    household_size: int = Field(ge=1, le=30, description="Jumlah anggota rumah tangga", examples=[4])
    pekka_category: PekkaCategory = Field(
        "none", description="Kategori PEKKA: none, productive, child_marriage_risk, elderly"
    )
    registered_by_opd: OPD = Field("dp3a", description="OPD yang mendaftarkan (header X-OPD diutamakan)")
    confirm_birth_date_differs_from_nik: bool = Field(
        False, description="Petugas mengonfirmasi bahwa tanggal lahir sesuai KTP walau berbeda dengan tanggal pada NIK "
                           "(Dukcapil tidak pernah mengubah NIK); data ditandai untuk verifikasi")

    def new_woman(self, *, registered_by_opd: str | None = None, registered_on: date | None = None) -> NewWoman:
        """The domain's view of this record; ``registered_by_opd`` (the caller's OPD) wins over the field."""
        return NewWoman(
            nik=self.nik, full_name=self.full_name, birth_date=self.birth_date,  # type: ignore[arg-type]
            phone=self.phone, kecamatan_code=self.kecamatan_code, desa_code=self.desa_code,
            household_size=self.household_size, pekka_category=self.pekka_category,
            registered_by_opd=registered_by_opd or self.registered_by_opd, registered_on=registered_on,
            birth_date_confirmed=self.confirm_birth_date_differs_from_nik,
        )

