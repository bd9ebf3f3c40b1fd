"""Projections: one module per domain, each an explicit dict of event type → upsert of facts.

Handlers run with ``search_path`` set to the target schema (live or shadow), so the same code feeds
both. Every upsert is idempotent and order-independent: no counters, only facts keyed by refs.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from berdaya_shared.contracts import Envelope

Handler = Callable[[asyncpg.Connection, Any, Envelope], Awaitable[None]]
