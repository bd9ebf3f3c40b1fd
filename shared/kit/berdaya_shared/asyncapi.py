"""The AsyncAPI 3.0 document of every Berdaya topic, generated from the shared/ contracts by FastStream.

    python -m berdaya_shared.asyncapi [--check]

Writes ``contracts/asyncapi.json`` (``--check`` fails when the committed file is stale). FastStream
builds the document from a broker holding one publisher per topic whose schema is the union of that
topic's event envelopes; the result is then split into one message per event type (FastStream gives
a publisher one message), with the golden samples as examples. Each service serves it read-only at
``GET /asyncapi`` (``asyncapi_router``): JSON only, so no viewer is fetched from a CDN and there is no
"try it out" that could publish to the real broker.
"""

import asyncio
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union

import berdaya_contracts
from berdaya_contracts import topics
from berdaya_contracts.catalog import CATALOG, EventSpec
from berdaya_contracts.envelope import Envelope
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram512
from faststream.specification import AsyncAPI
from pydantic import BaseModel, create_model

CONTRACTS = Path(berdaya_contracts.__file__).parent
DOCUMENT = CONTRACTS / "asyncapi.json"
KAFKA_BINDING = "0.5.0"

DESCRIPTION = """\
Event streams of Berdaya, the women's economic empowerment platform of Kabupaten Kutai Kartanegara
(DP3A, Diskop UKM, Distransnaker, Disperindag).

Every message is one JSON envelope (event_id, event_type, event_version, occurred_at, producer,
aggregate_type, aggregate_id, correlation_id, causation_id, payload); the Kafka key is aggregate_id,
so one entity's events arrive in order. Delivery is at-least-once: deduplicate on event_id.
Consumers should ignore unknown fields; a breaking change is a new event_version published beside
the old one.

Privacy promise (UU PDP No. 27/2022): no message carries a NIK, KK number, name, phone number, street
address or exact birth date. People, businesses and cooperatives appear only as random refs minted
by the owning service, with kecamatan/desa codes and age bands. Aid events say only that aid of a
kind was given, never case details. `registry.PersonalDataErased` tells you to delete whatever you
hold about that person_ref.

Access: every server requires SASL/SCRAM-SHA-512 over TLS (`SASL_SSL`); verify the broker with the CA
certificate DP3A gives you. DP3A creates a Kafka principal for your agency (`ext.<agency>`) that may read the
three event topics and `monitoring.indicators` with consumer groups named `ext.<agency>.<purpose>`; it can
never write, nor read a dead-letter topic. See docs/subscribing.md."""

LOCAL_BOOTSTRAP = "127.0.0.1:9092"
KAFKA_VERSION = "4.1"
SERVERS = {
    "local": "Local development cluster (`make up`): SASL_SSL with SCRAM-SHA-512; the CA certificate is "
             "deploy/.data/kafka/tls/ca.pem and `make subscriber NAME=<agency>` makes a subscriber's credentials.",
    "production": "The production cluster run by DP3A. Its address (`bootstrap`), your principal's password and the "
                  "CA certificate come from DP3A when your agency's access is approved.",
}
SECURITY_SCHEME = ("SASL/SCRAM-SHA-512 over TLS (Kafka security protocol SASL_SSL): one principal per agency "
                   "(`ext.<agency>`), read-only, consumer groups `ext.<agency>.*`.")

_TOPIC_TEXT = {
    topics.REGISTRY_EVENTS: "Registry (DP3A, Diskop UKM): women registered, welfare, aid given, UKM, cooperatives, capital.",
    topics.TRAINING_EVENTS: "Training (DP3A, Distransnaker): courses, enrolments, attendance, completions, placements.",
    topics.MARKETPLACE_EVENTS: "Marketplace (Disperindag): trade fairs, booths, product listings, sales.",
    topics.MONITORING_INDICATORS: "Monitoring (DP3A): indicator values by kecamatan and month; cells below 5 "
                                  "people are suppressed.",
}


def envelope_model(spec: EventSpec) -> type[BaseModel]:
    """The envelope of one event type and version, with its typed payload (as the JSON Schemas)."""
    name = f"{spec.event_type.replace('.', '_')}_v{spec.version}"
    return create_model(
        name,
        __base__=Envelope,
        __doc__=f"{spec.event_type} v{spec.version}: {(spec.model.__doc__ or '').strip()}",
        event_type=(Literal[spec.event_type], ...),  # type: ignore[valid-type]
        event_version=(Literal[spec.version], ...),  # type: ignore[valid-type]
        payload=(spec.model, ...),
    )


def broker(bootstrap: str = LOCAL_BOOTSTRAP) -> KafkaBroker:
    """A broker that only describes: one publisher per topic, never started. Its security object is FastStream's
    own (``SASLScram512`` over TLS), which gives the servers their ``kafka-secure`` protocol and security scheme;
    the credentials here are placeholders and never used."""
    b = KafkaBroker(bootstrap, security=SASLScram512("ext.<agency>", "", use_ssl=True),
                    specification_url=[bootstrap, "{bootstrap}"], protocol_version=KAFKA_VERSION)
    by_topic: dict[str, list[EventSpec]] = {}
    for spec in CATALOG:
        by_topic.setdefault(spec.topic, []).append(spec)
    for topic, specs in by_topic.items():
        models = tuple(envelope_model(s) for s in specs)
        b.publisher(topic, title=topic, description=_TOPIC_TEXT.get(topic, ""),
                    schema=Union[models] if len(models) > 1 else models[0])  # type: ignore[valid-type]  # noqa: UP007
    return b


def _sample(spec: EventSpec) -> dict[str, Any] | None:
    path = CONTRACTS / "samples" / f"{spec.event_type}.v{spec.version}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _split_messages(doc: dict[str, Any]) -> dict[str, Any]:
    """One message per event type instead of FastStream's one union message per channel."""
    messages = doc["components"]["messages"] = {}
    schemas = doc["components"]["schemas"]
    for channel_name, channel in doc["channels"].items():
        schemas.pop(f"{channel_name}:Message:Payload", None)
        channel["messages"] = {}
        for spec in (s for s in CATALOG if s.topic == channel["address"]):
            key = f"{spec.event_type}.v{spec.version}"
            message: dict[str, Any] = {
                "name": spec.event_type,
                "title": f"{spec.event_type} v{spec.version}",
                "summary": (spec.model.__doc__ or spec.event_type).strip().splitlines()[0],
                "contentType": "application/json",
                "correlationId": {"location": "$message.payload#/correlation_id"},
                "payload": {"$ref": f"#/components/schemas/{envelope_model(spec).__name__}"},
                "bindings": {"kafka": {"key": {"type": "string", "description": f"aggregate_id ({spec.aggregate_type})"},
                                       "bindingVersion": KAFKA_BINDING}},
            }
            sample = _sample(spec)
            if sample is not None:
                message["examples"] = [{"name": "golden-sample", "payload": sample}]
            messages[key] = message
            channel["messages"][key] = {"$ref": f"#/components/messages/{key}"}
        channel["bindings"]["kafka"]["bindingVersion"] = KAFKA_BINDING
        channel["bindings"]["kafka"]["partitions"] = topics.EVENT_TOPIC_PARTITIONS
    for name, operation in doc["operations"].items():
        address = doc["channels"][operation["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
        operation["summary"] = f"Berdaya publishes to {address}"
        operation["messages"] = [{"$ref": f"#/channels/{name}/messages/{key}"}
                                 for key in doc["channels"][name]["messages"]]
    return doc


def _name_servers(doc: dict[str, Any]) -> dict[str, Any]:
    """FastStream numbers the servers (Server1, Server2): name them, describe them, and make the production
    address a server variable, the placeholder an agency fills in."""
    renamed = dict(zip(doc["servers"], SERVERS, strict=True))
    doc["servers"] = {renamed[k]: {**v, "description": SERVERS[renamed[k]]} for k, v in doc["servers"].items()}
    for server in doc["servers"].values():
        if not server.get("pathname"):
            server.pop("pathname", None)
    production = doc["servers"]["production"]
    production["variables"] = {"bootstrap": {"description": "host:port of the production cluster, from DP3A"}}
    for channel in doc["channels"].values():
        channel["servers"] = [{"$ref": f"#/servers/{renamed[r['$ref'].rsplit('/', 1)[1]]}"}
                              for r in channel.get("servers", [])]
    for scheme in doc["components"]["securitySchemes"].values():
        scheme["description"] = SECURITY_SCHEME
    return doc


@cache
def document() -> dict[str, Any]:
    spec = AsyncAPI(broker(), title="Berdaya event streams", version="1.0.0", description=DESCRIPTION,
                    identifier="urn:berdaya:events", schema_version="3.0.0")
    doc = _name_servers(_split_messages(spec.to_specification().to_jsonable()))
    # FastStream's channel order varies between runs; a stable order keeps the committed file checkable.
    for section in ("channels", "operations"):
        doc[section] = dict(sorted(doc[section].items()))
    doc["components"] = {k: dict(sorted(v.items())) for k, v in sorted(doc["components"].items())}
    return doc


def rendered() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def asyncapi_router() -> APIRouter:
    """GET /asyncapi and /asyncapi.json: the published document, JSON only (no CDN viewer, no try-it).

    The document is built on the first request, in a worker thread, not when the app is created: building it
    takes about half a second of CPU (as much as all the imports of a service), and a restarted service should
    answer commands first."""
    router = APIRouter(tags=["Kontrak peristiwa"])

    async def serve() -> JSONResponse:
        return JSONResponse(await asyncio.to_thread(document), headers={"Cache-Control": "max-age=300"})

    for path in ("/asyncapi", "/asyncapi.json"):
        router.add_api_route(path, serve, methods=["GET"], summary="Dokumen AsyncAPI semua topik",
                             include_in_schema=path == "/asyncapi")
    return router


def main(argv: list[str]) -> int:
    text = rendered()
    if "--check" in argv:
        if not DOCUMENT.exists() or DOCUMENT.read_text() != text:
            print(f"{DOCUMENT} is out of date (run python -m berdaya_shared.asyncapi)")
            return 1
        return 0
    DOCUMENT.write_text(text)
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
