"""Finding a woman by name through the blind index: keyed tokens of her name's parts, never the name itself."""

import pytest
from berdaya_shared.errors import Forbidden, Invalid
from registry.domain.women import name_parts
from registry.service_layer import women

from .fakes import FakeRegistryUnitOfWork
from .test_handlers import TODAY, details, registered


def test_a_name_splits_into_normalised_parts_once_each() -> None:
    assert name_parts("  SITI Nur'aini  siti ") == ["siti", "nur", "aini"]
    assert name_parts("Élisabeth-Ratna") == ["elisabeth", "ratna"]
    assert name_parts("123 !!") == []


async def test_every_part_asked_must_be_a_part_of_her_name_in_any_order_and_case() -> None:
    uow = FakeRegistryUnitOfWork()
    siti = await registered(uow, full_name="Siti Nur Aminah")
    await registered(uow, full_name="Siti Rahmawati")
    found = await women.find(uow, name="aminah SITI")
    assert [w["person_ref"] for w in found["items"]] == [siti] and found["total"] == 1
    assert (await women.find(uow, name="siti"))["total"] == 2
    assert (await women.find(uow, name="siti ami"))["total"] == 0  # whole parts only: a blind index has no prefixes
    stored = uow.women.rows[siti]
    assert stored["name_tokens"] == uow.cipher.name_tokens(["siti", "nur", "aminah"])
    assert all(b"siti" not in t for t in stored["name_tokens"])


async def test_name_nik_and_place_combine_and_the_caller_s_area_limits_the_answer() -> None:
    uow = FakeRegistryUnitOfWork()
    here = await registered(uow, full_name="Siti Aminah")
    await registered(uow, full_name="Siti Aminah", kecamatan_code="64.02.07", desa_code=None)
    assert (await women.find(uow, name="siti aminah", kecamatan_code="64.02.06"))["items"][0]["person_ref"] == here
    assert (await women.find(uow, name="siti", area=frozenset({"64.02.06"})))["total"] == 1
    nik_value = details(serial=1).nik.value
    assert [w["person_ref"] for w in (await women.find(uow, nik_value=nik_value))["items"]] == [here]
    with pytest.raises(Forbidden):
        await women.find(uow, kecamatan_code="64.02.07", area=frozenset({"64.02.06"}))


async def test_a_search_without_criteria_or_letters_is_refused_naming_the_field() -> None:
    uow = FakeRegistryUnitOfWork()
    for name in (None, "  "):
        with pytest.raises(Invalid) as refused:
            await women.find(uow, name=name)
        assert refused.value.field == "name"
    with pytest.raises(Invalid) as refused:
        await women.find(uow, name="12 34")
    assert "huruf" in refused.value.pesan


async def test_a_correction_reindexes_her_name_and_erasure_forgets_it() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = await registered(uow, full_name="Siti Aminah")
    await women.correct(uow, person_ref=ref, changes={"full_name": "Siti Aisyah"}, today=TODAY)
    assert (await women.find(uow, name="aminah"))["total"] == 0
    assert (await women.find(uow, name="aisyah"))["total"] == 1
    await women.erase(uow, person_ref=ref, today=TODAY)
    assert (await women.find(uow, name="aisyah"))["total"] == 0
