"""A platform on private infrastructure with the load and ledger that run through every fault: ``Stage.run``
starts the load, applies a fault (which breaks something and heals it), stops the load and compares everything."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from deploy.keycloak.tokens import ClientCredentials
from tests.faults.infra import KafkaCluster, PostgresServer
from tests.faults.ledger import RESULTS, Ledger, Load, Row, caught_up, check, diagnose
from tests.support.auth import keycloak_processes
from tests.support.kafka import wait_for
from tests.support.platform import Platform, running_platform

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"
# As deploy/services.sh runs them: static consumer group membership, so a restarted service's consumer gets its
# partitions back at once (each service has its own group, so one id serves all four).
SERVICE_ENV = {"CONSUMER_GROUP_INSTANCE_ID": "faults@127.0.0.1"}


class Stage:
    """A platform on private infrastructure, with the load and the ledger that run through every fault."""

    def __init__(self, platform: Platform, kafka: KafkaCluster, pg: PostgresServer | None, load: Load,
                 ledger: Ledger, headers: ClientCredentials, env: dict[str, str]) -> None:
        self.platform, self.kafka, self.pg, self.load, self.ledger = platform, kafka, pg, load, ledger
        self.headers = headers  # profile -> bearer header from the test realm's machine clients
        self.env = env  # what a restarted service process needs (static membership, the realm it trusts)
        self._seen = (0, 0)  # redelivered copies and dead letters before the current fault

    async def until_caught_up(self, snapshot: dict[str, set[str]], timeout_s: float = 240) -> None:
        try:
            await wait_for(lambda: caught_up(self.platform, snapshot), timeout_s=timeout_s, interval_s=0.25)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{await diagnose(self.platform, snapshot)}") from None

    async def run(self, name: str, fault: Callable[[], Awaitable[float | None]], *, warmup_s: float = 2.0,
                  tail_s: float = 2.0) -> Row:
        """Load running → ``fault`` (breaks something and heals it) → load stops → everything compared.

        A fault that restarts a service returns the seconds from the restart to its first successful command."""
        before, retries = self.ledger.count(), self.load.driver.retries
        stop = asyncio.Event()
        load = asyncio.create_task(self.load.run(stop))
        await asyncio.sleep(warmup_s)
        first_2xx = await fault()
        healed = time.monotonic()
        snapshot = self.ledger.snapshot()  # everything acknowledged up to the heal
        await self.until_caught_up(snapshot)
        recovered = time.monotonic() - healed
        await asyncio.sleep(tail_s)
        stop.set()
        await load
        everything = self.ledger.snapshot()
        await self.until_caught_up(everything)
        await asyncio.sleep(1.0)  # anything applied twice or dead-lettered late would show now
        result = await check(self.platform, self.kafka.bootstrap, self.ledger, self.load.driver.server_errors,
                             self.headers)
        # Lost and applied-twice are over the whole history (must stay 0); copies and dead letters count this fault's.
        row = Row(name, self.ledger.count() - before, result.lost, result.applied_twice,
                  result.redelivered - self._seen[0], result.dead_lettered - self._seen[1], round(recovered, 1),
                  self.load.driver.retries - retries, result.problems,
                  None if first_2xx is None else round(first_2xx, 2))
        self._seen = (result.redelivered, result.dead_lettered)
        RESULTS.append(row)
        print(f"\n{name}: {row}")
        assert result.ok, result.problems
        assert result.lost == 0 and result.applied_twice == 0
        return row


@contextlib.asynccontextmanager
async def staged(kafka: KafkaCluster, pg: PostgresServer | None, server_url: str, *, name: str,
                 seed: int) -> AsyncIterator[Stage]:
    """The four services on ``kafka`` and the database server at ``server_url``, trusting a realm of their own on
    the stack's Keycloak, with a fresh load (authenticated by the realm's machine clients) and ledger."""
    async with keycloak_processes() as (trust, headers, _realm):
        env = {**SERVICE_ENV, **trust}
        async with running_platform(kafka.bootstrap, server_url, log_dir=ARTIFACTS / name, extra_env=env,
                                    replication_factor=kafka.size) as platform:
            ledger = Ledger()
            load = Load(platform, ledger, headers, seed=seed)
            try:
                yield Stage(platform, kafka, pg, load, ledger, headers, env)
            finally:
                await load.close()
