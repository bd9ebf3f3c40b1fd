"""The event contracts as subscribing agencies and our own consumers rely on them."""

import json
from importlib.resources import files

import pytest
from berdaya_contracts import CATALOG, Envelope, PoisonMessage, decode, export, lookup, new_envelope
from berdaya_contracts.registry_v1 import WomanRegistered
from berdaya_contracts.topics import EVENT_TOPICS, MONITORING_INDICATORS
from pydantic import ValidationError

SAMPLES = files("berdaya_contracts").joinpath("samples")
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.name.endswith(".json"))
PII_KEYS = {"nik", "name", "full_name", "nama", "phone", "telepon", "address", "alamat", "birth_date", "tanggal_lahir", "kk"}


def sample(name: str) -> dict:
    return json.loads(SAMPLES.joinpath(name).read_text())


def test_every_event_type_has_exactly_one_golden_sample() -> None:
    expected = sorted(f"{s.event_type}.v{s.version}.json" for s in CATALOG)
    assert SAMPLE_NAMES == expected


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_golden_sample_parses_strictly_as_producer_and_tolerantly_as_consumer(name: str) -> None:
    raw = sample(name)
    spec = lookup(raw["event_type"], raw["event_version"])
    # Producer side: strict types, no unknown field.
    spec.model.model_validate_json(json.dumps(raw["payload"]), strict=True)
    # Consumer side: the whole message through the decoder every consumer uses.
    event = decode(json.dumps(raw).encode())
    assert type(event.payload) is spec.model
    assert event.envelope.aggregate_id == str(spec.aggregate_id(event.payload))
    assert spec.topic in (*EVENT_TOPICS, MONITORING_INDICATORS)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_no_sample_carries_personal_data_fields(name: str) -> None:
    raw = sample(name)
    spec = lookup(raw["event_type"], raw["event_version"])
    fields = set(spec.model.model_fields)
    if spec.event_type == "marketplace.TradeFairScheduled":
        fields.discard("name")  # the fair's name, not a person's
    assert not PII_KEYS & fields, f"{spec.event_type} has a personal-data field"


def test_unknown_field_is_ignored_by_consumers_and_refused_to_producers() -> None:
    raw = sample("registry.WomanRegistered.v1.json")
    raw["payload"]["favourite_colour"] = "hijau"
    raw["added_by_a_future_version"] = True
    event = decode(json.dumps(raw).encode())
    assert event.payload.household_size == 4
    with pytest.raises(ValidationError, match="favourite_colour"):
        WomanRegistered.model_validate(raw["payload"])
    with pytest.raises(ValidationError):
        WomanRegistered(**raw["payload"])


def test_new_envelope_takes_type_topic_and_key_from_the_registry_not_the_class_name() -> None:
    payload = WomanRegistered.model_validate(sample("registry.WomanRegistered.v1.json")["payload"])
    env = new_envelope(payload, correlation_id="req-1")
    assert (env.event_type, env.event_version, env.producer) == ("registry.WomanRegistered", 1, "registry")
    assert env.aggregate_id == str(payload.person_ref)
    assert env.event_id.version == 7
    assert env.occurred_at.utcoffset().total_seconds() == 0
    assert decode(env.to_bytes()).payload == payload


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "invalid_json"),
        (b"{not json", "invalid_json"),
        (b'{"event_id": "x"}', "invalid_envelope"),
        (None, "invalid_json"),
    ],
)
def test_unreadable_messages_are_poison(raw: bytes | None, reason: str) -> None:
    with pytest.raises(PoisonMessage) as caught:
        decode(raw)
    assert caught.value.reason == reason


def test_unknown_type_version_and_invalid_payload_are_poison_with_distinct_reasons() -> None:
    good = sample("training.TrainingCompleted.v1.json")
    cases = {
        "unknown_event_type": {**good, "event_type": "training.TrainingTeleported"},
        "unknown_event_version": {**good, "event_version": 9},
        "invalid_payload": {**good, "payload": {**good["payload"], "attendance_rate": 3.5}},
    }
    for reason, raw in cases.items():
        with pytest.raises(PoisonMessage) as caught:
            decode(json.dumps(raw).encode())
        assert caught.value.reason == reason


def test_envelope_requires_timezone_aware_occurred_at() -> None:
    raw = sample("registry.AidProvided.v1.json")
    raw["occurred_at"] = "2025-02-03T01:02:03"
    with pytest.raises(PoisonMessage, match="occurred_at"):
        decode(json.dumps(raw).encode())
    assert Envelope.model_validate_json(json.dumps(sample("registry.AidProvided.v1.json")))


def test_published_json_schemas_match_the_models() -> None:
    assert export.main(["--check"]) == 0, "run: python -m berdaya_contracts.export"
