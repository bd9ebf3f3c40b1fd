"""The registry's rules on their own: NIK, a woman's record, welfare, UKM, cooperatives, capital; the PII cipher and
the settings (no broker or database)."""

from datetime import date
from uuid import uuid4

import pytest
from berdaya_shared.errors import Conflict, Invalid
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from registry.adapters.crypto import NAME, NIK, PiiCipher
from registry.config import DEV_ENCRYPTION_KEY, DEV_HMAC_KEY, Settings
from registry.domain import businesses, capital, coops, events, nik, welfare, women
from registry.domain.nik import PROVINCE_CODES

from tests.registry.helpers import nik_for

TODAY = date(2026, 11, 28)


def new_woman(birth: date = date(1985, 8, 5), **changes: object) -> women.NewWoman:
    values: dict = dict(nik=nik.parse(nik_for(birth, 3), today=TODAY), full_name="Siti Aminah", birth_date=birth,
                        phone=None, kecamatan_code="64.02.06", desa_code="64.02.06.1001", household_size=4,
                        pekka_category="productive", registered_by_opd="dp3a")
    return women.NewWoman(**{**values, **changes})


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
    with pytest.raises(Invalid, match="denotes a man"):
        nik.parse(nik_for(birth, serial, woman=False), today=TODAY)


@given(st.text(max_size=20))
def test_arbitrary_text_is_refused_with_a_reason_or_accepted_never_crashes(text: str) -> None:
    try:
        nik.parse(text, today=TODAY)
    except Invalid as err:
        assert err.pesan and err.field == "nik"


def test_the_38_province_codes_include_the_new_papua_provinces() -> None:
    assert len(PROVINCE_CODES) == 38 and {93, 94, 95, 96} <= PROVINCE_CODES and 20 not in PROVINCE_CODES


def test_nik_spaces_and_dots_are_tolerated_but_serial_0000_is_not_and_staff_see_it_masked() -> None:
    parsed = nik.parse("6402 0645 0885 0003", today=TODAY)
    assert parsed.value == "6402064508850003" and parsed.masked == "6402********0003"
    with pytest.raises(Invalid, match="0000"):
        nik.parse("6402064508850000", today=TODAY)


def test_a_birth_date_that_contradicts_the_nik_is_refused_on_the_birth_date_field() -> None:
    with pytest.raises(Invalid) as refused:
        women.register(new_woman(birth_date=date(1985, 9, 5)), person_ref=uuid4(), today=TODAY)
    assert refused.value.field == "birth_date"


def test_registration_gives_the_age_band_on_the_day_of_registration_and_publishes_the_profile_only() -> None:
    ref = uuid4()
    woman, event = women.register(new_woman(registered_on=date(2020, 8, 4)), person_ref=ref, today=TODAY)
    assert woman.profile.age_band == "25-34"  # 34 the day before her 35th birthday
    assert event == events.WomanRegistered(ref, events.Profile("64.02.06", "64.02.06.1001", "25-34", "productive", 4),
                                           "dp3a", date(2020, 8, 4))
    today, _ = women.register(new_woman(), person_ref=ref, today=TODAY)
    assert today.registered_on == TODAY and today.profile.age_band == "35-44"


@pytest.mark.parametrize(("changes", "field"), [
    ({"desa_code": "64.02.05.1001"}, "desa_code"),  # a desa of another kecamatan
    ({"registered_on": date(2026, 11, 29)}, "registered_on"),  # tomorrow
    ({"registered_on": date(1985, 8, 4)}, "registered_on"),  # before she was born
])
def test_domicile_and_registration_date_rules_name_their_field(changes: dict, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        women.register(new_woman(**changes), person_ref=uuid4(), today=TODAY)
    assert refused.value.field == field


def test_names_and_phones_as_opd_lists_write_them() -> None:
    assert women.clean_name("  R. Icha   Andriani, S.E.I ") == "R. Icha Andriani, S.E.I"
    for bad in ("Siti 123", "S", ".Siti"):
        with pytest.raises(Invalid):
            women.clean_name(bad)
    for written in ("0812-3456 7890", "+62 812 3456 7890", "6281234567890", "81234567890", "(0812) 3456.7890"):
        assert women.clean_phone(written) == "+6281234567890", written  # one form: E.164
    assert women.clean_phone("0541 661234") == "+62541661234" and women.clean_phone("  ") is None
    for bad in ("12345", "0812", "08123456789012345"):
        with pytest.raises(Invalid, match="phone"):
            women.clean_phone(bad)
    with pytest.raises(Invalid, match="1900"):
        women.check_birth_date(date(1899, 12, 31), today=TODAY)


def test_duplicate_key_ignores_case_spacing_accents_and_punctuation_but_not_the_desa() -> None:
    a = women.duplicate_key("Hj. Siti  Zubaidah", date(1978, 3, 9), "64.02.06", None)
    assert a == women.duplicate_key("HJ SITI ZUBAÍDAH", date(1978, 3, 9), "64.02.06", None)
    assert a != women.duplicate_key("Hj. Siti Zubaidah", date(1978, 3, 9), "64.02.06", "64.02.06.1001")


def test_a_correction_publishes_the_full_profile_only_when_the_public_part_changes() -> None:
    current, _ = women.register(new_woman(), person_ref=uuid4(), today=date(2024, 1, 1))
    renamed, event = women.correct(current, {"full_name": "Siti Aminah Rahayu"}, today=date(2024, 2, 1))
    assert event is None and renamed.details.full_name == "Siti Aminah Rahayu"
    moved, event = women.correct(current, {"kecamatan_code": "64.02.05"}, today=date(2024, 2, 1))
    assert moved.details.desa_code is None  # the old kecamatan's desa cannot stay
    assert event == events.WomanProfileCorrected(current.person_ref, moved.profile, date(2024, 2, 1))
    assert moved.profile.kecamatan_code == "64.02.05" and moved.registered_on == date(2024, 1, 1)


def test_erasure_publishes_once_and_an_erased_woman_takes_no_new_facts() -> None:
    ref = uuid4()
    assert women.erase(ref, already_erased=False, today=TODAY) == events.PersonalDataErased(ref, TODAY)
    assert women.erase(ref, already_erased=True, today=TODAY) is None
    with pytest.raises(Conflict):
        women.require_living(ref, erased=True)


def test_per_capita_income_is_floored_and_compared_strictly_with_the_line_in_force() -> None:
    lines = [events.PovertyLine(date(2024, 1, 1), 753_332), events.PovertyLine(date(2025, 1, 1), 800_000)]

    def assess(income: int, on: date = date(2024, 6, 1)) -> events.WelfareAssessed:
        return welfare.assess(assessment_ref=uuid4(), person_ref=uuid4(), assessed_on=on, household_size=4,
                              monthly_income_idr=income, lines=lines, is_baseline=True, today=TODAY)

    assert assess(3_013_328).below_poverty_line is False  # exactly on the line is not below
    assert assess(3_013_327).below_poverty_line is True and assess(3_013_327).per_capita_income_idr == 753_331
    assert welfare.line_in_force(lines, date(2024, 12, 31)).idr == 753_332
    assert assess(3_100_000, date(2025, 1, 1)).poverty_line == lines[1]
    with pytest.raises(Invalid, match="no poverty line") as refused:
        assess(1, date(2023, 12, 31))
    assert refused.value.field == "assessed_on"
    with pytest.raises(Invalid, match="in the future"):
        assess(1, date(2026, 11, 29))


def test_a_business_report_keeps_legality_it_does_not_mention_and_never_loses_a_nib() -> None:
    business, registered = businesses.register(
        business_ref=uuid4(), owner_person_ref=uuid4(), name="Amplang Bu Siti", sector="kuliner",
        kecamatan_code="64.02.06", nib=None, has_pirt=True, has_halal=False, started_on=date(2021, 5, 1),
        registered_on=None, today=TODAY)
    assert registered.legality == events.Legality(False, True, False) and registered.registered_on == TODAY

    def report(period: str = "2026-10", **flags: object) -> events.BusinessReported:
        values: dict = {"nib": None, "has_pirt": None, "has_halal": None, **flags}
        return businesses.report(business, period=period, monthly_revenue_idr=1, workers=1, already_reported=False,
                                 today=TODAY, **values)

    assert report(nib="9120001234567", has_halal=True).legality == events.Legality(True, True, True)
    assert report(has_pirt=False).legality == events.Legality(False, False, False)
    with pytest.raises(Invalid, match="in the future"):
        report("2026-12")
    with pytest.raises(Conflict):
        businesses.report(business, period="2026-10", monthly_revenue_idr=1, workers=1, nib=None, has_pirt=None,
                          has_halal=None, already_reported=True, today=TODAY)


def test_cooperative_membership_and_rat_rules() -> None:
    a, b = uuid4(), uuid4()
    coop = coops.Coop(uuid4(), "Koperasi Wanita Mandiri", "64.02.06", "simpan_pinjam", date(2025, 1, 20), True, None)
    formed = coops.form(coop, [a, b], living={a, b}, today=TODAY)
    assert formed.founding_member_refs == (a, b)
    with pytest.raises(Invalid, match="duplicate founding"):
        coops.form(coop, [a, a], living={a}, today=TODAY)
    with pytest.raises(Invalid) as unknown:
        coops.form(coop, [a, b], living={a}, today=TODAY)
    assert unknown.value.extra["unknown_refs"] == [str(b)]
    with pytest.raises(Invalid, match="before formed_on"):
        coops.join(coop, person_ref=uuid4(), joined_on=date(2025, 1, 19), living=True, active=None, today=TODAY)
    active = events.Membership(coop.coop_ref, a, date(2025, 1, 20))
    with pytest.raises(Conflict):
        coops.join(coop, person_ref=a, joined_on=date(2025, 2, 1), living=True, active=active, today=TODAY)
    with pytest.raises(Invalid, match="left_on before joined_on"):
        coops.leave(left_on=date(2025, 1, 19), active=active, today=TODAY)
    with pytest.raises(Conflict, match="not an active member"):
        coops.leave(left_on=date(2025, 6, 1), active=None, today=TODAY)
    assert coops.leave(left_on=date(2025, 6, 1), active=active, today=TODAY).left_on == date(2025, 6, 1)
    with pytest.raises(Invalid, match="before the fiscal year"):
        coops.hold_annual_meeting(coop, fiscal_year=2026, held_on=date(2025, 12, 31), already_held=False, today=TODAY)
    with pytest.raises(Conflict):
        coops.hold_annual_meeting(coop, fiscal_year=2024, held_on=date(2025, 3, 1), already_held=True, today=TODAY)


def test_capital_goes_only_to_a_recipient_the_registry_knows() -> None:
    kwargs: dict = dict(disbursement_ref=uuid4(), recipient_type="coop", recipient_ref=uuid4(), source="kur",
                        amount_idr=1_000_000, disbursed_on=date(2026, 1, 5), provider_opd="diskop_ukm", today=TODAY)
    assert capital.disburse(**kwargs, recipient_known=True).amount_idr == 1_000_000
    with pytest.raises(Invalid) as refused:
        capital.disburse(**kwargs, recipient_known=False)
    assert refused.value.field == "recipient_ref"


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


def test_the_quick_reading_of_mobile_numbers_agrees_with_libphonenumber() -> None:
    import random

    import phonenumbers

    rng = random.Random(7)
    for _ in range(2000):
        digits = f"8{rng.randint(10**6, 10**12 - 1)}"[: rng.randint(8, 12)]
        for written in ("0" + digits, "62" + digits, "+62" + digits, digits):
            number = phonenumbers.parse("0" + digits, "ID")
            expected = (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                        if phonenumbers.is_possible_number(number) and 8 <= len(str(number.national_number)) <= 12
                        else None)
            try:
                got = women.clean_phone(written)
            except Invalid:
                got = None
            assert got == expected, written
