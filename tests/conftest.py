from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import pytest

from tests.support import auth, infra

# Every app and service process the tests start verifies (and the registry signs) tokens with this
# session's test key; see tests/support/auth.py.
auth.install_env()
# The tests' own Kafka clients connect as the stack's admin principal; see tests/support/infra.py.
infra.install_kafka_env()


@pytest.fixture(scope="session")
def backends() -> Iterator[tuple[str, str]]:
    with ExitStack() as stack:
        yield infra.resolve(stack)


@pytest.fixture(scope="session")
def kafka_bootstrap(backends: tuple[str, str]) -> str:
    return backends[0]


@pytest.fixture(scope="session")
def database_server_url(backends: tuple[str, str]) -> str:
    return backends[1]


@pytest.fixture
async def fresh_database(database_server_url: str) -> AsyncIterator[str]:
    """An empty database of its own for one test, dropped afterwards."""
    url = await infra.create_database(database_server_url)
    yield url
    await infra.drop_database(database_server_url, url)
