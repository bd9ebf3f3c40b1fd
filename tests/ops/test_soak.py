"""Three minutes of ``make soak`` inside ``make test``: the four services as processes at a steady command rate.
After the warm-up no service's resident memory grows 10 % or more, no consumer falls a batch behind, and once the
load stops the outbox and every consumer drain to zero."""

from pathlib import Path

import pytest

from bench import soak
from tests.support.auth import keycloak_processes
from tests.support.platform import running_platform

pytestmark = pytest.mark.e2e
SECONDS, RATE, WARMUP_S = 180, 15, 60
LOG_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "soak"


async def test_three_minutes_at_a_steady_rate(kafka_bootstrap: str, database_server_url: str) -> None:
    log_dir = LOG_DIR
    async with keycloak_processes() as (env, tokens, _realm), \
            running_platform(kafka_bootstrap, database_server_url, log_dir=log_dir, extra_env=env) as platform:
        result = await soak.run(platform, tokens, seconds=SECONDS, rate=RATE, warmup_s=WARMUP_S)
    print(result.summary())  # the figures, in the test log
    assert result.problems() == []
    assert result.commands >= 0.8 * SECONDS * RATE
