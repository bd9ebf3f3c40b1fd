"""The service runtime's own lifecycle against the real backends."""

import asyncio

import pytest
from berdaya_shared import runtime as runtime_module
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.runtime import ServiceRuntime


async def test_a_connection_still_in_use_does_not_keep_the_service_from_stopping(
    fresh_database: str, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "POOL_CLOSE_TIMEOUT_S", 0.5)
    service = ServiceRuntime(name="stopping", database_url=fresh_database, migrations=[],
                             settings=MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap), run_relay=False)
    await service.start()
    assert service.pool is not None
    held = await service.pool.acquire()  # e.g. a request or live stream that never finishes
    await asyncio.wait_for(service.stop(), 15)  # without the bound, pool.close() waits for it forever
    assert service.pool.is_closing()
    del held


async def test_a_task_that_swallows_its_cancellation_does_not_keep_the_service_from_stopping(
    fresh_database: str, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(runtime_module, "TASK_STOP_TIMEOUT_S", 0.5)
    service = ServiceRuntime(name="stubborn", database_url=fresh_database, migrations=[],
                             settings=MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap), run_relay=False)
    await service.start()
    release = asyncio.Event()

    async def stubborn() -> None:  # what a loop does when a timeout absorbs the cancel meant for it
        while not release.is_set():
            try:
                await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn(), name="stubborn-loop")
    service._tasks.append(task)
    try:
        await asyncio.wait_for(service.stop(), 15)  # without the bound, stop() awaits the task forever
        assert "stubborn-loop still running" in caplog.text
        assert service.pool is not None and service.pool.is_closing()
    finally:
        release.set()
        await task
