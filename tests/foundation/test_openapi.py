"""The four services' OpenAPI documents tell the truth about what the services answer (the answers themselves are
checked against these documents by schemathesis in tests/faults/test_bad_input.py): the error body, the refusals
per operation, the media types of downloads and the live stream, Bahasa Indonesia in every description and title."""

import re
from functools import cache
from typing import Any

import pytest
from berdaya_shared.apidocs.titles import TITLES
from berdaya_shared.apidocs.truth import ERROR, FIELD_ERROR
from berdaya_shared.auth import WRITE_METHODS
from berdaya_shared.messaging import MessagingSettings

SERVICES = ("registry", "training", "marketplace", "monitoring")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# English words that do not occur in Indonesian text; one of them in a description or title means English crept in.
ENGLISH = re.compile(r"\b(the|of|and|is|are|with|for|to|when|an|or|by|from|this|that|must|not|only|if|each|"
                     r"defaults?|number|whole|share|issued|required|response|body)\b", re.IGNORECASE)


@cache
def document(service: str) -> dict[str, Any]:
    bootstrap = __import__(f"{service}.bootstrap", fromlist=["create_app"])
    config = __import__(f"{service}.config", fromlist=["Settings"])
    settings = config.Settings(database_url="postgresql://nobody@127.0.0.1:1/none",
                               messaging=MessagingSettings(kafka_bootstrap_servers="127.0.0.1:1"))
    return bootstrap.create_app(settings).openapi()  # type: ignore[no-any-return]


def operations(service: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in document(service)["paths"].items() for m, op in ops.items()]


def texts(node: Any, where: str = "") -> list[tuple[str, str]]:
    """(where, text) of every summary, description and title in the document."""
    out = []
    if isinstance(node, dict):
        for key in ("summary", "description", "title"):
            if isinstance(node.get(key), str):
                out.append((f"{where}.{key}", node[key]))
        for key, value in node.items():
            out += texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += texts(value, f"{where}[{i}]")
    return out


def property_names(node: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(node, dict):
        names |= {k for k, v in (node.get("properties") or {}).items() if isinstance(v, dict)}
        for value in node.values():
            names |= property_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= property_names(value)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_every_refusal_is_documented_with_the_error_body_and_an_example(service: str) -> None:
    doc = document(service)
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas[ERROR]["required"] == ["pesan", "detail"] and FIELD_ERROR in schemas
    problems = []
    for method, path, op in operations(service):
        responses = op["responses"]
        wanted = {"503"} if path not in ("/health", "/asyncapi") else set()
        if "security" in op:
            wanted |= {"401", "403"}
        if "{" in path:
            wanted |= {"404"}
        if method in WRITE_METHODS:
            wanted |= {"400", "404", "409", "413"}
        if op.get("parameters") or op.get("requestBody"):
            wanted |= {"422"}
        if missing := wanted - set(responses):
            problems.append(f"{method} {path}: {sorted(missing)} undocumented")
        for status, answer in responses.items():
            if int(status) >= 400:
                media = answer.get("content", {}).get("application/json", {})
                if media.get("schema") != {"$ref": f"#/components/schemas/{ERROR}"} or "pesan" not in media.get(
                        "example", {}):
                    problems.append(f"{method} {path} {status}: not the error body with an example")
    assert problems == []


@pytest.mark.parametrize("service", SERVICES)
def test_operations_that_need_a_token_say_so(service: str) -> None:
    doc = document(service)
    assert doc["components"]["securitySchemes"]["keycloak"]["type"] == "openIdConnect"
    secured = [(m, p) for m, p, op in operations(service) if "security" in op]
    assert secured or service == "monitoring"
    assert all("security" not in op for m, p, op in operations(service) if p in ("/health", "/ready"))


def test_downloads_and_the_live_stream_declare_their_media_types() -> None:
    monitoring = document("monitoring")["paths"]
    assert set(monitoring["/api/export"]["get"]["responses"]["200"]["content"]) == {"text/csv", XLSX}
    assert set(monitoring["/api/stream"]["get"]["responses"]["200"]["content"]) == {"text/event-stream"}
    assert set(monitoring["/api/rounds/{round_ref}/export.xlsx"]["get"]["responses"]["200"]["content"]) == {XLSX}
    registry = document("registry")["paths"]
    assert set(registry["/women/imports/{import_ref}/errors.csv"]["get"]["responses"]["200"]["content"]) == {"text/csv"}
    assert set(registry["/women/imports/{import_ref}/errors.xlsx"]["get"]["responses"]["200"]["content"]) == {XLSX}


@pytest.mark.parametrize("service", SERVICES)
def test_every_field_and_parameter_has_an_indonesian_title(service: str) -> None:
    doc = document(service)
    names = property_names(doc["components"]["schemas"]) | property_names(doc["paths"])
    names |= {p["name"] for _, _, op in operations(service) for p in op.get("parameters", [])}
    assert sorted(names - set(TITLES)) == [], "add them to berdaya_shared/apidocs/titles.py"
    titles = [t for where, t in texts(doc) if "/properties/" in where and where.endswith(".title")]
    assert titles and not [t for t in titles if re.fullmatch(r"(?:[A-Z][a-z]+ )+[A-Z][a-z]+", t)
                           and t not in TITLES.values()]
    params = [p for _, _, op in operations(service) for p in op.get("parameters", [])]
    assert all(p["schema"].get("title") == TITLES[p["name"]] for p in params if "schema" in p)
    assert document("registry")["components"]["schemas"]["WomanCreate"]["properties"]["full_name"]["title"] == \
        "Nama lengkap"


@pytest.mark.parametrize("service", SERVICES)
def test_every_summary_description_and_title_is_in_bahasa_indonesia(service: str) -> None:
    english = [(where, text) for where, text in texts(document(service))
               if ENGLISH.search(re.sub(r"`[^`]*`|'[^']*'", "", text))]  # code and quoted values are not prose
    assert english == []
    assert all(op.get("summary") for _, _, op in operations(service))
