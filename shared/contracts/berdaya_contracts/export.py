"""Export the JSON Schema of every event (envelope with its typed payload) for subscribing agencies.

    python -m berdaya_contracts.export [--check]

Writes ``contracts/schemas/<event_type>.v<version>.schema.json``; ``--check`` fails when a committed
schema differs from the models, so the published files cannot drift from the code.
"""

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import create_model

from .catalog import CATALOG, EventSpec
from .envelope import Envelope

SCHEMA_DIR = Path(__file__).parent / "schemas"


def event_schema(spec: EventSpec) -> dict[str, Any]:
    model = create_model(
        spec.model.__name__ + "Event",
        __base__=Envelope,
        event_type=(Literal[spec.event_type], ...),  # type: ignore[valid-type]
        event_version=(Literal[spec.version], ...),  # type: ignore[valid-type]
        payload=(spec.model, ...),
    )
    schema = model.model_json_schema(mode="validation")
    schema["title"] = f"{spec.event_type} v{spec.version}"
    schema["$id"] = f"urn:berdaya:event:{spec.event_type}:v{spec.version}"
    schema["x-topic"] = spec.topic
    schema["x-aggregate-type"] = spec.aggregate_type
    return schema


def rendered() -> dict[str, str]:
    return {
        f"{s.event_type}.v{s.version}.schema.json": json.dumps(event_schema(s), indent=2, ensure_ascii=False) + "\n"
        for s in CATALOG
    }


def main(argv: list[str]) -> int:
    files = rendered()
    if "--check" in argv:
        stale = [n for n, text in files.items() if not (SCHEMA_DIR / n).exists() or (SCHEMA_DIR / n).read_text() != text]
        for name in stale:
            print(f"schema out of date: {name} (run python -m berdaya_contracts.export)")
        return 1 if stale else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in files.items():
        (SCHEMA_DIR / name).write_text(text)
    print(f"wrote {len(files)} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
