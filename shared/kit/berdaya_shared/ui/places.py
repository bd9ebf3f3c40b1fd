"""Kutai Kartanegara's 20 kecamatan by name, for the staff pages (the list lives in the contracts:
``berdaya_contracts.common.KECAMATAN``)."""

from berdaya_contracts.common import KECAMATAN


def kecamatan_name(code: str | None) -> str:
    """The kecamatan's name ("Tenggarong"), the code itself when unknown, "—" for none."""
    return KECAMATAN.get(code or "", code or "—")
