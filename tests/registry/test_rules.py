"""Pure rules: NIK parsing, poverty assessment, PII cipher and settings (no broker or database)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from registry.adapters.crypto import NAME, NIK, PiiCipher
from registry.config import DEV_ENCRYPTION_KEY, DEV_HMAC_KEY, Settings
from registry.domain import model, nik
from registry.domain.nik import PROVINCE_CODES

from tests.registry.helpers import nik_for

TODAY = date(2026, 11, 28)


@given(
    birth=st.dates(min_value=date(1927, 1, 1), max_value=TODAY),
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    serial=st.integers(1, 9999),
)
def test_every_womans_nik_parses_back_to_its_birth_date(birth: date, province: int, serial: int) -> None:
    value = nik_for(birth, serial, area=f"{province}0101")
    parsed = nik.parse(value, today=TODAY)
    assert parsed.birth_date == birth and parsed.province_code == province
    nik.check_birth_date(parsed, birth)


@given(birth=st.dates(min_value=date(1927, 1, 1), max_value=TODAY), serial=st.integers(1, 9999))
def test_no_mans_nik_is_ever_accepted(birth: date, serial: int) -> None:
    with pytest.raises(nik.NikError, match="laki-laki"):
        nik.parse(nik_for(birth, serial, woman=False), today=TODAY)


@given(st.text(max_size=20))
def test_arbitrary_text_is_refused_with_a_reason_or_accepted_never_crashes(text: str) -> None:
    try:
        nik.parse(text, today=TODAY)
    except nik.NikError as err:
        assert err.pesan and err.field == "nik"


def test_the_38_province_codes_include_the_new_papua_provinces() -> None:
    assert len(PROVINCE_CODES) == 38 and {93, 94, 95, 96} <= PROVINCE_CODES and 20 not in PROVINCE_CODES


def test_nik_spaces_and_dots_are_tolerated_but_serial_0000_is_not() -> None:
    assert nik.parse("6402 0645 0885 0003", today=TODAY).value == "6402064508850003"
    with pytest.raises(nik.NikError, match="0000"):
        nik.parse("6402064508850000", today=TODAY)


def test_per_capita_income_is_floored_and_compared_strictly_with_the_line() -> None:
    line = model.PovertyLine(date(2024, 1, 1), 753_332)
    assert model.assess(4, 3_013_328, line).below_poverty_line is False  # exactly on the line is not below
    assert model.assess(4, 3_013_327, line).below_poverty_line is True
    lines = [line, model.PovertyLine(date(2025, 1, 1), 800_000)]
    assert model.line_in_force(lines, date(2024, 12, 31)).idr == 753_332
    assert model.line_in_force(lines, date(2025, 1, 1)).idr == 800_000
    with pytest.raises(model.RuleBroken):
        model.line_in_force(lines, date(2023, 12, 31))


def test_duplicate_fingerprint_ignores_case_spacing_and_punctuation() -> None:
    a = model.duplicate_fingerprint_source("Hj. Siti  Zubaidah", date(1978, 3, 9), "64.02.06", None)
    b = model.duplicate_fingerprint_source("HJ SITI ZUBAIDAH", date(1978, 3, 9), "64.02.06", None)
    assert a == b


def test_cipher_round_trips_binds_context_and_keys_the_hmac() -> None:
    cipher = PiiCipher(DEV_ENCRYPTION_KEY, DEV_HMAC_KEY)
    blob = cipher.encrypt("Siti Aminah", context=NAME)
    assert blob is not None and b"Siti" not in blob
    assert cipher.decrypt(blob, context=NAME) == "Siti Aminah"
    with pytest.raises(Exception):  # noqa: B017 (a name ciphertext cannot be read as a NIK)
        cipher.decrypt(blob, context=NIK)
    other = PiiCipher(DEV_ENCRYPTION_KEY, "another-hmac-key-that-is-long-enough-000")
    assert cipher.nik_mac("6402064508850003") != other.nik_mac("6402064508850003")


def test_production_refuses_to_start_without_keys_and_development_has_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REGISTRY_NIK_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("REGISTRY_NIK_HMAC_KEY", raising=False)
    with pytest.raises(ValidationError, match="REGISTRY_NIK_ENCRYPTION_KEY"):
        Settings(env="production")
    assert Settings().nik_hmac_key == DEV_HMAC_KEY
    with pytest.raises(ValueError, match="32 bytes"):
        PiiCipher("c2hvcnQ=", DEV_HMAC_KEY)
