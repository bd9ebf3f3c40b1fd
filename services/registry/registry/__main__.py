"""``python -m registry``: serve, migrate the database, or rotate the NIK keys (``--help`` lists the commands)."""

import argparse
import asyncio
import json
import logging
import sys
from typing import Any

from berdaya_shared import cli

from .bootstrap import SPEC, create_app
from .config import Settings

log = logging.getLogger("registry.key_rotation")


def _rotate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Re-encrypt every NIK, name, phone, case note and held import row and re-key the HMAC lookups under "
        "REGISTRY_NIK_ENCRYPTION_KEY / REGISTRY_NIK_HMAC_KEY, reading what is still under "
        "REGISTRY_NIK_PREVIOUS_ENCRYPTION_KEY / REGISTRY_NIK_PREVIOUS_HMAC_KEY. Runs beside the serving registry "
        "(configured with the same four keys); stopped, it resumes where it stopped. See docs/operations.md.")
    parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between batches (default 0)")
    parser.add_argument("--max-batches", type=int, default=None, help="stop after this many batches")
    parser.add_argument("--status", action="store_true", help="only count the rows still under another key")


def _rotate(args: argparse.Namespace, settings: Settings) -> int:
    from .adapters import key_rotation

    cipher = settings.cipher()

    async def run() -> dict[str, Any]:
        if args.status:
            import asyncpg

            conn = await asyncpg.connect(settings.database_url)
            try:
                return {"left": await key_rotation.left(conn, cipher)}
            finally:
                await conn.close()
        report = await key_rotation.rotate(
            settings.database_url, cipher, batch_size=args.batch_size, pause_s=args.pause,
            max_batches=args.max_batches,
            progress=lambda table, total, batch: log.info("rotated %s: %d rows (+%d)", table, total, batch))
        return {"rotated": report.rotated, "batches": report.batches, "left": report.left,
                "seconds": report.seconds, "done": report.done}

    outcome = asyncio.run(run())
    print(json.dumps(outcome))
    if outcome.get("done"):
        print("every row is under the current keys: remove REGISTRY_NIK_PREVIOUS_* and restart the registry",
              file=sys.stderr)
    return 0 if not any(outcome["left"].values()) or args.status or args.max_batches else 1


COMMANDS = {"rotate-keys": cli.Command(help="re-encrypt and re-key the personal data under new NIK keys",
                                       configure=_rotate_arguments, run=_rotate)}

if __name__ == "__main__":
    sys.exit(cli.run(SPEC, settings=Settings, create_app=create_app, commands=COMMANDS))
