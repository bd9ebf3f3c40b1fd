"""Test data and topic reading for the registry tests."""

import random
from datetime import date
from typing import Any

from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.topics import REGISTRY_EVENTS, physical

from tests.support.kafka import envelopes, wait_for

TOPIC = physical(REGISTRY_EVENTS, MessagingSettings().topic_namespace)
FIRST = ["Siti", "Nur", "Rina", "Dewi", "Sri", "Wulan", "Ani", "Rahmawati", "Fitri", "Yuliana", "Hasnah", "Marlina"]
LAST = ["Aminah", "Rahayu", "Lestari", "Handayani", "Wahyuni", "Kartika", "Sari", "Hartati", "Fauziah", "Nurhayati"]


def nik_for(birth: date, serial: int, *, area: str = "640206", woman: bool = True) -> str:
    day = birth.day + (40 if woman else 0)
    return f"{area}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def random_birth(rng: random.Random) -> date:
    return date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))


def unique_name(rng: random.Random) -> str:
    # A random tag keeps names distinct between runs on the shared topic (the privacy scan looks for them).
    tag = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(8)).capitalize()
    return f"{rng.choice(FIRST)} {tag} {rng.choice(LAST)}"


def woman_body(rng: random.Random, **overrides: Any) -> dict[str, Any]:
    birth = overrides.pop("birth", None) or random_birth(rng)
    body = {
        "nik": nik_for(birth, rng.randint(1, 9999), area=rng.choice(["640206", "640213", "350101", "947101"])),
        "full_name": unique_name(rng),
        "birth_date": birth.isoformat(),
        "phone": f"08{rng.randint(10**9, 10**10 - 1)}",
        "kecamatan_code": "64.02.06",
        "desa_code": "64.02.06.1001",
        "household_size": 4,
        "pekka_category": "productive",
    }
    body.update(overrides)
    return body


async def events_about(kafka: str, refs: set[str], *, expected: int, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """The events on registry.events whose aggregate or person is one of ``refs``, once ``expected`` arrived."""

    async def collect() -> list[dict[str, Any]] | None:
        found = [
            e for e in await envelopes(kafka, TOPIC, idle_s=0.3)
            if e.get("aggregate_id") in refs or str(e.get("payload", {}).get("person_ref")) in refs
        ]
        return found if len(found) >= expected else None

    return await wait_for(collect, timeout_s=timeout_s, interval_s=0.5)
