"""The topic scan used after the end-to-end scenario finds what it must and nothing else."""

import json
import uuid
from datetime import date

from berdaya_contracts import new_envelope
from berdaya_contracts.registry_v1 import WomanRegistered

from tests.support.privacy import Person, findings

SITI = Person(nik="6402064508850003", full_name="Siti Aminah", birth_date=date(1985, 8, 5), phone="081234567890")


def event(**payload_overrides: object) -> bytes:
    payload = WomanRegistered(person_ref=uuid.UUID("12345678-1234-4234-8234-081234567890"),
                              kecamatan_code="64.02.06", age_band="35-44", pekka_category="productive",
                              household_size=4, registered_by_opd="dp3a", registered_on=date(2025, 3, 1))
    envelope = json.loads(new_envelope(payload).to_bytes())
    envelope["payload"].update(payload_overrides)
    return json.dumps(envelope).encode()


def test_a_clean_event_has_no_findings_even_with_digit_runs_in_its_refs() -> None:
    assert findings([("registry.events", event())], [SITI]) == []


def test_each_kind_of_personal_data_is_found() -> None:
    leaks = {
        "nik": "6402064508850003", "name": "Siti Aminah", "birth": "1985-08-05", "phone": "081234567890",
        "other_nik": "3501014508900001", "other_phone": "+6285212345678",
    }
    for key, value in leaks.items():
        found = findings([("registry.events", event(note=value))], [SITI])
        assert found, key
