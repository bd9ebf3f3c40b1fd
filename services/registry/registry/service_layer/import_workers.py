"""Where an import's rows are read: in a worker thread for small files, in worker processes for large ones.

Reading a row (parsing, the registration rules, AES-GCM sealing, the event's envelope) is pure CPU; in one Python
process it caps an import at a few thousand rows a second and competes with the service's own requests and outbox
relay for one interpreter lock. Large files are therefore read in a pool of worker processes started from a fork
server (safe beside the service's threads), each holding its own cipher built once from the keys.
"""

import asyncio
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from typing import Any
from uuid import UUID

from ..adapters.crypto import PiiCipher
from ..adapters.repository.women import WomanRow
from .import_rows import Context, Outcome, read_row

Rows = Sequence[tuple[int, dict[str, Any]]]
_worker_cipher: PiiCipher | None = None
_WOMAN_FIELDS = [f.name for f in fields(WomanRow)]


def _init_worker(encryption_key: str, hmac_key: str) -> None:
    global _worker_cipher
    _worker_cipher = PiiCipher(encryption_key, hmac_key)


def read_rows(rows: Rows, ctx: Context, cipher: PiiCipher | None = None) -> list[Outcome]:
    """The outcomes of a chunk of rows, in order (in a worker process the cipher is the process's own)."""
    use = cipher or _worker_cipher
    assert use is not None, "worker process started without its keys"
    return [read_row(number, values, ctx, use) for number, values in rows]


def _pack(o: Outcome) -> tuple[Any, ...]:
    """An outcome as plain tuples for the trip between processes (pickling dataclasses and UUIDs costs as much
    as reading the row): refs travel as bytes."""
    woman = None
    if o.woman is not None:
        w = astuple_shallow(o.woman)
        woman = (w[0].bytes, *w[1:14], w[14].bytes if w[14] else None)
    outbox = [(e[0].bytes, *e[1:]) for e in o.outbox]
    assessment = (o.assessment[0].bytes, o.assessment[1].bytes, *o.assessment[2:]) if o.assessment else None
    return (o.row_no, o.status, o.problems, o.warnings, woman, outbox, assessment, o.verify, o.identity, o.nik_hmac,
            o.sealed)


def _unpack(t: tuple[Any, ...]) -> Outcome:
    row_no, status, problems, warnings, woman, outbox, assessment, verify, identity, nik_hmac, sealed = t
    return Outcome(
        row_no, status, problems, warnings,
        WomanRow(UUID(bytes=woman[0]), *woman[1:14], UUID(bytes=woman[14]) if woman[14] else None) if woman else None,
        [(UUID(bytes=e[0]), *e[1:]) for e in outbox],
        (UUID(bytes=assessment[0]), UUID(bytes=assessment[1]), *assessment[2:]) if assessment else None,
        verify, identity, nik_hmac, sealed)


def astuple_shallow(row: WomanRow) -> tuple[Any, ...]:
    return tuple(getattr(row, f) for f in _WOMAN_FIELDS)


def read_packed(rows: Rows, ctx: Context) -> list[tuple[Any, ...]]:
    """``read_rows`` in a worker process, its outcomes packed for the way back."""
    return [_pack(o) for o in read_rows(rows, ctx)]


class RowReaders:
    """Reads chunks of rows: ``read`` runs one chunk in a worker thread, or in a worker process when the import is
    large (``parallel``). The process pool starts on first use and lives as long as the service."""

    def __init__(self, cipher: PiiCipher, *, encryption_key: str, hmac_key: str, processes: int) -> None:
        self.cipher = cipher
        self._keys = (encryption_key, hmac_key)
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=_init_worker,
                                             initargs=self._keys)
        return self._pool

    async def read(self, rows: Rows, ctx: Context, *, parallel: bool) -> list[Outcome]:
        if parallel and self.processes > 0:
            loop = asyncio.get_running_loop()
            packed = await loop.run_in_executor(self._executor(), read_packed, rows, ctx)
            return [_unpack(t) for t in packed]
        return await asyncio.to_thread(read_rows, rows, ctx, self.cipher)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
