"""Manage the OAuth2 clients of the token endpoint (run by DP3A's administrator).

    python -m registry clients create --name "Aplikasi DP3A" --profile dp3a
    python -m registry clients create --name "Bappeda dashboard" --profile subscriber
    python -m registry clients create --name "Custom" --opd diskop_ukm --scope ukm:write --scope coops:write
    python -m registry clients list
    python -m registry clients revoke CLIENT_ID

The secret is printed once, at creation; only its scrypt hash is stored.
Database: REGISTRY_DATABASE_URL (as the service).
"""

import argparse
import asyncio
import sys
from typing import get_args

import asyncpg
from berdaya_contracts.common import OPD
from berdaya_shared import migrate
from berdaya_shared.scopes import ALL_SCOPES, PROFILES
from berdaya_shared.service import service_migrations

from .adapters import clients
from .bootstrap import SPEC
from .config import Settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m registry clients", description="OAuth2 clients (agency credentials)")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create", help="create a client and print its secret once")
    c.add_argument("--name", required=True, help="what the client is, e.g. the agency's application")
    c.add_argument("--profile", choices=sorted(PROFILES), help="a default scope set (and its OPD)")
    c.add_argument("--opd", choices=get_args(OPD), help="the client's OPD (overrides the profile's)")
    c.add_argument("--scope", action="append", default=[], choices=sorted(ALL_SCOPES), help="extra scope (repeat)")
    c.add_argument("--client-id", help="choose the id instead of a generated one")
    sub.add_parser("list", help="list clients (never secrets)")
    r = sub.add_parser("revoke", help="refuse new tokens to a client")
    r.add_argument("client_id")
    return p


async def run(args: argparse.Namespace, database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        await migrate.migrate(conn, [*migrate.kit_migrations(), *service_migrations(SPEC)])
        if args.command == "create":
            opd, scopes = PROFILES[args.profile] if args.profile else (None, frozenset())
            opd = args.opd or opd
            scopes = scopes | frozenset(args.scope)
            if not scopes:
                print("error: give --profile or at least one --scope", file=sys.stderr)
                return 2
            try:
                client, secret = await clients.create(conn, name=args.name, opd=opd, scopes=scopes,
                                                      client_id=args.client_id)
            except asyncpg.UniqueViolationError:
                print(f"error: client {args.client_id} already exists", file=sys.stderr)
                return 1
            print(f"client_id={client.client_id}\nclient_secret={secret}\nopd={client.opd or '-'}\n"
                  f"scope={' '.join(sorted(client.scopes))}")
            print("Simpan rahasia ini sekarang: tidak dapat ditampilkan lagi.", file=sys.stderr)
        elif args.command == "list":
            for c in await clients.list_all(conn):
                state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
                print(f"{c.client_id}\t{c.opd or '-'}\t{state}\t{' '.join(sorted(c.scopes))}\t{c.name}")
        elif args.command == "revoke":
            if not await clients.revoke(conn, args.client_id):
                print(f"error: no active client {args.client_id}", file=sys.stderr)
                return 1
            print(f"revoked {args.client_id}")
        return 0
    finally:
        await conn.close()


def main(argv: list[str], database_url: str | None = None) -> int:
    args = parser().parse_args(argv)
    return asyncio.run(run(args, database_url or Settings().database_url))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
