"""The published AsyncAPI document: current, valid against the official AsyncAPI 3.0.0 JSON Schema and accepted by
the official parser with its servers (local, production) and their SASL/SCRAM security scheme, listing every event
type with a payload schema its golden sample satisfies, and free of personal data.

The official schema and parser come from the npm packages @asyncapi/specs and @asyncapi/parser (pinned in the
Makefile, installed by `make install` into deploy/.data/npm); nothing is fetched while the tests run.
"""

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from berdaya_contracts import CATALOG
from berdaya_shared import asyncapi

REPO = Path(__file__).resolve().parents[2]
OFFICIAL = REPO / "deploy/.data/npm/node_modules/@asyncapi/specs/schemas/3.0.0.json"
# Person-identifying fields that must never be in an event (DESIGN.md §3). `name` is allowed only
# where it names a public thing (a trade fair), listed explicitly.
FORBIDDEN = {"nik", "kk", "phone", "birth", "address", "street", "fullname", "full"}
NAME_ALLOWED = {"TradeFairScheduled"}


@pytest.fixture(scope="module")
def official() -> jsonschema.Draft7Validator:
    if not OFFICIAL.exists():
        pytest.fail(f"the AsyncAPI 3.0.0 JSON Schema is missing ({OFFICIAL}): run `make install`", pytrace=False)
    return jsonschema.Draft7Validator(json.loads(OFFICIAL.read_text()))


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return json.loads(asyncapi.DOCUMENT.read_text())


def test_the_committed_document_is_current() -> None:
    assert asyncapi.main(["--check"]) == 0, "run `python -m berdaya_shared.asyncapi` and commit the result"


def test_the_document_validates_against_the_official_asyncapi_schema(
    official: jsonschema.Draft7Validator, doc: dict[str, Any]
) -> None:
    assert doc["asyncapi"] == "3.0.0"
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in official.iter_errors(doc)]
    assert errors == []


def test_the_validation_would_catch_a_broken_document(
    official: jsonschema.Draft7Validator, doc: dict[str, Any]
) -> None:
    broken = copy.deepcopy(doc)
    del broken["info"]["version"]
    broken["operations"]["registry.events"]["action"] = "publish"  # AsyncAPI 2 word, invalid in 3.0
    assert len(list(official.iter_errors(broken))) == 2


def test_every_event_type_is_listed_on_its_topic_with_its_payload(doc: dict[str, Any]) -> None:
    for spec in CATALOG:
        key = f"{spec.event_type}.v{spec.version}"
        channel = doc["channels"][spec.topic]
        assert channel["messages"][key] == {"$ref": f"#/components/messages/{key}"}, key
        message = doc["components"]["messages"][key]
        schema = doc["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[1]]
        assert schema["properties"]["event_type"]["const"] == spec.event_type
        assert schema["properties"]["event_version"]["const"] == spec.version
        assert {"$ref": f"#/channels/{spec.topic}/messages/{key}"} in doc["operations"][spec.topic]["messages"]
    assert len(doc["components"]["messages"]) == len(CATALOG)


def test_each_golden_sample_satisfies_its_published_message_schema(doc: dict[str, Any]) -> None:
    components = {"components": doc["components"]}
    for key, message in doc["components"]["messages"].items():
        schema = {**message["payload"], **components}
        (example,) = message["examples"]
        validator = jsonschema.Draft202012Validator(schema)
        validator.validate(example["payload"])
        wrong_type = {**example["payload"], "event_type": "registry.SomethingElse"}
        assert not validator.is_valid(wrong_type), key


def test_no_payload_schema_has_a_personal_data_field(doc: dict[str, Any]) -> None:
    for name, schema in doc["components"]["schemas"].items():
        for prop in schema.get("properties", {}):
            assert not FORBIDDEN & set(prop.lower().split("_")), f"{name}.{prop}"
            if prop == "name":
                assert name in NAME_ALLOWED, f"{name}.name"


def test_the_document_promises_privacy_and_dedup() -> None:
    text = asyncapi.document()["info"]["description"]
    assert "no message carries a NIK" in text and "deduplicate on event_id" in text


NPM = REPO / "deploy/.data/npm"
PARSE = Path(__file__).with_name("parse_asyncapi.cjs")
ERROR, WARNING = 0, 1  # the parser's diagnostic severities (then information, hint)


def test_the_official_parser_reads_the_servers_and_their_security(doc: dict[str, Any], tmp_path: Path) -> None:
    if not (NPM / "node_modules/@asyncapi/parser/package.json").exists():
        pytest.fail(f"the AsyncAPI parser is missing ({NPM}): run `make install`", pytrace=False)
    broken = copy.deepcopy(doc)  # control: a server requiring a security scheme nobody defined
    del broken["components"]["securitySchemes"]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    done = subprocess.run(["node", str(PARSE), str(NPM), str(asyncapi.DOCUMENT), str(tmp_path / "broken.json")],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    ours, control = json.loads(done.stdout)
    assert [d for d in ours["diagnostics"] if d["severity"] in (ERROR, WARNING)] == []
    assert {s["id"]: (s["protocol"], s["security"]) for s in ours["servers"]} == {
        "local": ("kafka-secure", [["scramSha512"]]), "production": ("kafka-secure", [["scramSha512"]])}
    assert sorted(ours["channels"]) == sorted({spec.topic for spec in CATALOG})
    assert ours["messages"] == len(CATALOG)
    assert any(d["severity"] == ERROR for d in control["diagnostics"]), control["diagnostics"]
