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
from typing import Any

from ..adapters.crypto import PiiCipher
from .import_rows import Context, Outcome, read_row

Rows = Sequence[tuple[int, dict[str, Any]]]
_worker_cipher: PiiCipher | None = None


def _init_worker(encryption_key: str, hmac_key: str) -> None:
    global _worker_cipher
    _worker_cipher = PiiCipher(encryption_key, hmac_key)


def read_rows(rows: Rows, ctx: Context, cipher: PiiCipher | None = None) -> list[Outcome]:
    """The outcomes of a chunk of rows, in order (in a worker process the cipher is the process's own)."""
    use = cipher or _worker_cipher
    assert use is not None, "worker process started without its keys"
    return [read_row(number, values, ctx, use) for number, values in rows]


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
            return await loop.run_in_executor(self._executor(), read_rows, rows, ctx)
        return await asyncio.to_thread(read_rows, rows, ctx, self.cipher)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
