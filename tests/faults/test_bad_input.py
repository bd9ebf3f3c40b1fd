"""Bad input, from anyone: every service's OpenAPI fuzzed with schemathesis, and broken files sent to the
registry's bulk import. Bad input must get a 4xx that names the problem, never a 5xx, and lose nothing.

Each service runs in-process as an ASGI app against its own fresh database, its own topic namespace and the
real broker; schemathesis drives it (and starts/stops its lifespan on its own event loop thread).
"""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
import schemathesis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.topics import EVENT_TOPIC_PARTITIONS, EVENT_TOPICS, MONITORING_INDICATORS, dlq_topic, physical
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi as schemathesis_asgi

from tests.support import infra
from tests.support.auth import all_scopes
from tests.support.kafka import unique

SERVICES = ("registry", "training", "marketplace", "monitoring")
MAX_EXAMPLES = 25  # per operation, positive and negative cases mixed
# The OPD whose token (holding every scope) calls each service.
CALLER_OPD = {"registry": "dp3a", "training": "distransnaker", "marketplace": "disperindag", "monitoring": "dp3a"}
# Operations left out, and why:
EXCLUDED = {
    # A server-sent-event stream: it never ends by design, so a request to it never returns.
    ("GET", "/api/stream"),
}


async def create_topics(bootstrap: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [NewTopic(physical(t, namespace), EVENT_TOPIC_PARTITIONS, 1) for t in (*EVENT_TOPICS, MONITORING_INDICATORS)]
        topics += [NewTopic(physical(dlq_topic(s), namespace), 1, 1) for s in ("training", "marketplace", "monitoring")]
        await admin.create_topics(topics)
    finally:
        await admin.close()


def build_app(service: str, database_url: str, bootstrap: str, namespace: str) -> FastAPI:
    messaging = MessagingSettings(kafka_bootstrap_servers=bootstrap, topic_namespace=namespace,
                                  relay_poll_interval_s=0.2, consumer_batch_timeout_ms=50)
    if service == "registry":
        from registry.bootstrap import create_app
        from registry.config import Settings
    elif service == "training":
        from training.bootstrap import create_app
        from training.config import Settings
    elif service == "marketplace":
        from marketplace.bootstrap import create_app
        from marketplace.config import Settings
    else:
        from monitoring.bootstrap import create_app
        from monitoring.config import Settings
    return create_app(Settings(database_url=database_url, messaging=messaging), group_id=unique("g"))


@dataclass
class Summary:
    service: str
    operations: int = 0
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        spread = " ".join(f"{k}x{v}" for k, v in sorted(self.statuses.items()))
        return (f"schemathesis {self.service}: {self.operations} operations, {self.cases} cases, "
                f"server errors = {len(self.server_errors)} ({self.seconds:.0f} s; statuses {spread})")


@pytest_asyncio.fixture(params=SERVICES, loop_scope="session")
async def fuzzed(request: pytest.FixtureRequest, kafka_bootstrap: str,
                 database_server_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    """A service app (not started: schemathesis runs its lifespan) over a fresh database and namespace."""
    service = request.param
    namespace = unique("fz").lower()
    await create_topics(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix="fz")
    app = build_app(service, url, kafka_bootstrap, namespace)
    try:
        yield service, app
    finally:
        # The lifespan runs on schemathesis' own loop thread: stop it there before dropping the database.
        await asyncio.to_thread(schemathesis_asgi.shutdown_lifespans)
        await infra.drop_database(database_server_url, url)


def fuzz_operation(operation: Any, send: Callable[[Any], None]) -> None:
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategies.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # noqa: BLE001 (an operation with nothing to make invalid has no negative cases)
            continue

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        send(case)

    run()


# schemathesis' own strategies draw from `random` internally; not this test's concern.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_schemathesis_finds_no_server_error(fuzzed: tuple[str, FastAPI]) -> None:
    service, app = fuzzed
    started = time.monotonic()
    headers = all_scopes(CALLER_OPD[service]) | {"X-Purpose": "pengujian masukan buruk"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    summary = Summary(service)

    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        summary.operations += 1

        def send(case: Any, operation: Any = operation) -> None:
            response = case.call(headers=headers, timeout=60)
            summary.cases += 1
            summary.statuses[response.status_code] = summary.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                summary.server_errors.append(
                    f"{operation.method.upper()} {operation.path} -> {response.status_code}: {response.text[:300]}\n"
                    f"    {case.as_curl_command()}")

        fuzz_operation(operation, send)
    summary.seconds = time.monotonic() - started
    print("\n" + summary.line())
    for failure in summary.server_errors[:20]:
        print("  " + failure)
    assert summary.operations > 5 and summary.cases > summary.operations
    assert not summary.server_errors, "\n".join(summary.server_errors[:20])
