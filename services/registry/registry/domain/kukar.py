"""Kutai Kartanegara's 20 kecamatan (Kemendagri codes, ``berdaya_contracts.common.KECAMATAN``) as OPD lists write
them."""

from berdaya_contracts.common import KECAMATAN

BY_NAME: dict[str, str] = {name.casefold(): code for code, name in KECAMATAN.items()}


def kecamatan_code(value: str) -> str:
    """A kecamatan code from a code or a name as OPD lists write it ("Tenggarong", "64.02.06")."""
    value = " ".join(value.split())
    if value in KECAMATAN:
        return value
    return BY_NAME.get(value.casefold().removeprefix("kecamatan ").replace("-", " "), value)
