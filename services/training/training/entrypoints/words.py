"""Indonesian words the training pages show for the contract's codes (fields, drop-out reasons, sectors)."""

FIELDS = {
    "kerajinan_tangan": "Kerajinan tangan",
    "industri_kreatif": "Industri kreatif",
    "kuliner": "Kuliner",
    "teknologi_informasi": "Teknologi informasi",
    "manufaktur": "Manufaktur",
    "jasa": "Jasa",
    "manajemen_usaha": "Manajemen usaha",
}

DROP_REASONS = {
    "pekerjaan": "Pekerjaan",
    "keluarga": "Urusan keluarga",
    "kesehatan": "Kesehatan",
    "pindah": "Pindah tempat tinggal",
    "biaya": "Biaya",
    "lainnya": "Lainnya",
}

STATUS = {"enrolled": "Sedang mengikuti", "completed": "Lulus", "dropped": "Keluar"}


def field_label(code: str) -> str:
    return FIELDS.get(code, code)

SECTORS = {
    "kuliner": "Kuliner", "kerajinan": "Kerajinan", "fesyen": "Fesyen", "pertanian": "Pertanian",
    "perikanan": "Perikanan", "perdagangan": "Perdagangan", "jasa": "Jasa", "industri_kreatif": "Industri kreatif",
    "manufaktur": "Manufaktur", "pertambangan": "Pertambangan", "perkebunan": "Perkebunan",
    "pemerintahan": "Pemerintahan", "lainnya": "Lainnya",
}
