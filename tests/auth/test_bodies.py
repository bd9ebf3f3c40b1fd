"""Request bodies are bounded before a route reads them (issue 24), on the real service apps at the ASGI level, so
the test sees exactly how many bytes of a body a service took before answering.

The probe's requests: a 50 MiB JSON post without a token (was read whole, then 401), a body trickled one byte every
2 s (was still open after 40 s). Here: every write route of every service refuses a request without a valid token
before receiving a byte of its body; a body over the route's limit is refused with 413 before it is read (declared
length) or at the limit (no length); a body that stalls or trickles gets 408 within the stated time limits.
"""

import asyncio
import importlib
import json
import time
from typing import Any

from berdaya_shared import bodies
from fastapi import FastAPI

from tests.auth.test_matrix import SERVICES, concrete, write_operations
from tests.support.auth import bearer

MIB = 2**20


class Sent:
    """A client sending a body in chunks: counts what the service took."""

    def __init__(self, chunks: list[bytes] | None = None, *, pause_s: float = 0.0, stall_after: int | None = None):
        self.chunks = chunks or []
        self.pause_s = pause_s
        self.stall_after = stall_after
        self.taken = 0  # body bytes the service received
        self.calls = 0

    async def receive(self) -> dict[str, Any]:
        if self.stall_after is not None and self.calls >= self.stall_after:
            await asyncio.sleep(3600)
        if self.calls >= len(self.chunks):
            await asyncio.sleep(3600)  # the body is in; a disconnect never comes
        if self.pause_s and self.calls:
            await asyncio.sleep(self.pause_s)
        chunk = self.chunks[self.calls]
        self.calls += 1
        self.taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": self.calls < len(self.chunks)}


async def call(app: FastAPI, method: str, path: str, headers: dict[str, str], sent: Sent,
               timeout_s: float = 60) -> tuple[int, dict[str, Any]]:
    """The status and JSON answer of ``app`` to the request."""
    status: list[int] = []
    body = bytearray()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5000), "server": ("t", 80)}
    await asyncio.wait_for(app(scope, sent.receive, send), timeout_s)
    return status[0], json.loads(bytes(body)) if body else {}


def fifty_mib() -> Sent:
    return Sent([b"[" + b"1," * (MIB // 2)] * 50)


def apps() -> dict[str, FastAPI]:
    return {name: importlib.import_module(f"{name}.bootstrap").create_app() for name in SERVICES}


async def test_no_byte_of_a_body_is_read_before_the_token_is_checked() -> None:
    checked = 0
    for name, app in apps().items():
        for method, path, operation in write_operations(app):
            if app.state.auth_policy.rule_for(method, path).public:
                continue
            for auth in ({}, {"Authorization": "Bearer not.a.token"}, {"Authorization": "Basic x"}):
                sent = fifty_mib()
                status, answer = await call(app, method, concrete(path, operation), {
                    "content-type": "application/json", "content-length": str(50 * MIB), **auth}, sent)
                assert (status, sent.taken) == (401, 0), (name, method, path, auth, answer)
                assert answer["pesan"]
                checked += 1
    assert checked > 3 * 30


async def test_eight_concurrent_large_posts_without_a_token_take_nothing() -> None:
    """The probe's request, eight at once: each answered 401 having taken no byte of its 50 MiB."""
    monitoring = apps()["monitoring"]
    sends = [fifty_mib() for _ in range(8)]
    started = time.monotonic()
    answers = await asyncio.gather(*(call(monitoring, "PUT", "/api/targets", {
        "content-type": "application/json", "content-length": str(50 * MIB)}, s) for s in sends))
    assert [a[0] for a in answers] == [401] * 8 and sum(s.taken for s in sends) == 0
    assert time.monotonic() - started < 5


async def test_a_body_over_the_routes_limit_is_refused_before_or_at_the_limit() -> None:
    registry = apps()["registry"]
    token = bearer("dp3a")
    declared = fifty_mib()
    status, answer = await call(registry, "POST", "/women", {
        "content-type": "application/json", "content-length": str(50 * MIB), **token}, declared)
    assert (status, declared.taken) == (413, 0), answer
    assert answer["max_bytes"] == bodies.MAX_JSON_BYTES and "256 KB" in answer["pesan"]
    # Without a Content-Length the body is cut off once past the limit: at most one chunk more is taken.
    chunked = Sent([b" " * 64 * 1024] * 800)
    status, answer = await call(registry, "POST", "/women", {"content-type": "application/json", **token}, chunked)
    assert status == 413 and bodies.MAX_JSON_BYTES < chunked.taken <= bodies.MAX_JSON_BYTES + 64 * 1024, answer
    # A route that takes long lists declares a larger limit: a sales sheet of 5,000 rows is read (and validated).
    row = {"product_ref": "6f1c1a4e-0000-4000-8000-000000000000", "sold_on": "2025-03-01", "quantity": 2,
           "unit_price_idr": 25000, "buyer_note": "pembeli dari Samarinda"}
    sheet = json.dumps({"rows": [row] * 5000}).encode()
    assert len(sheet) > bodies.MAX_JSON_BYTES
    status, answer = await call(apps()["marketplace"], "POST", "/fairs/6f1c1a4e-0000-4000-8000-000000000001/sales-sheet",
                                {"content-type": "application/json", "content-length": str(len(sheet)),
                                 **bearer("disperindag")}, Sent([sheet]))
    assert status == 422 and answer["kesalahan"], answer  # read and validated, not refused for its size


async def test_a_stalled_or_trickled_body_is_cut_off_in_time() -> None:
    registry = apps()["registry"]
    headers = {"content-type": "application/json", "content-length": "1000", **bearer("dp3a")}
    stalled = Sent([b"{"] * 1000, stall_after=1)  # one byte, then nothing
    trickled = Sent([b" "] * 1000, pause_s=2.0)  # one byte every 2 s: never idle for long, never done
    started = time.monotonic()
    (s1, a1), (s2, a2) = await asyncio.gather(call(registry, "POST", "/women", headers, stalled),
                                              call(registry, "POST", "/women", headers, trickled))
    took = time.monotonic() - started
    assert (s1, s2) == (408, 408), (a1, a2)
    assert a1["batas_detik"] == bodies.IDLE_S and a2["batas_detik"] == bodies.TOTAL_S
    assert trickled.taken <= bodies.TOTAL_S / 2 + 1
    assert took < bodies.TOTAL_S + 5
