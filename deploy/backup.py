"""Back up and restore every service database and Keycloak's with PostgreSQL's own tools.

    python -m deploy.backup backup [--dir deploy/.data/backups]          one folder <UTC timestamp>/ per backup
    python -m deploy.backup restore [FOLDER] [--only registry ...]      the newest backup when FOLDER is omitted
    python -m deploy.backup list

A backup is ``pg_dump --format=custom`` of each database (registry, training, marketplace, monitoring, keycloak)
into ``<dir>/<UTC timestamp>/<name>.dump`` and a ``manifest.json``: when, which server and tool versions, per
database its name, owner, file, size and SHA-256, and the fingerprint of the registry's NIK keys (a SHA-256 prefix
of the key material, never the keys: a restore warns when the running keys differ, because the registry's
encrypted personal data can only be read with the keys it was written with; see docs/operations.md).

A restore checks every file against the manifest first, then per database: drops it (``WITH (FORCE)``: stop the
services and Keycloak first — ``make restore`` does), creates it again with its owner and ``pg_restore``s it.
``--as NAME=DATABASE`` restores one dump into another database (a trial restore beside the live one).

Where the databases are: ``<SERVICE>_DATABASE_URL`` (the services' own settings; defaults as in their config.py)
and ``KEYCLOAK_DATABASE_URL`` (default the stack's ``keycloak`` database through the stack's superuser).
pg_dump/pg_restore are the newest under /usr/lib/postgresql/*/bin (or ``PG_BIN``): never older than the server.
"""

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DATA_DIR = Path(os.environ.get("BERDAYA_DATA_DIR", Path(__file__).resolve().parent / ".data"))
DEFAULT_DIR = DATA_DIR / "backups"
SERVICES = ("registry", "training", "marketplace", "monitoring")
_SERVER = f"postgresql://berdaya:berdaya@127.0.0.1:{os.environ.get('PG_PORT', '5433')}"


@dataclass(frozen=True)
class Target:
    name: str  # registry | training | marketplace | monitoring | keycloak
    url: str

    @property
    def database(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def on(self, database: str) -> str:
        """This server's URL for another database."""
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{database}"))


def targets(env: dict[str, str] | None = None) -> list[Target]:
    env = dict(os.environ if env is None else env)
    found = [Target(s, env.get(f"{s.upper()}_DATABASE_URL") or f"{_SERVER}/berdaya_{s}") for s in SERVICES]
    found.append(Target("keycloak", env.get("KEYCLOAK_DATABASE_URL") or f"{_SERVER}/keycloak"))
    return found


def pg_tool(name: str) -> str:
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise SystemExit(f"no {name} under /usr/lib/postgresql (make install installs PostgreSQL)")
    return str(found[-1])


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection arguments for ``url`` (the password through PGPASSWORD, not argv)."""
    parts = urlsplit(url)
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    return args, env


def key_fingerprint(env: dict[str, str] | None = None) -> str:
    """A SHA-256 prefix of the registry's NIK encryption and HMAC keys as configured (the development keys when
    unset): tells whether two installations share keys without revealing them."""
    env = dict(os.environ if env is None else env)
    from registry.config import DEV_ENCRYPTION_KEY, DEV_HMAC_KEY

    material = (env.get("REGISTRY_NIK_ENCRYPTION_KEY") or DEV_ENCRYPTION_KEY) + "\n" + \
        (env.get("REGISTRY_NIK_HMAC_KEY") or DEV_HMAC_KEY)
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def _owner(target: Target) -> tuple[str, str]:
    conn = await asyncpg.connect(target.url)
    try:
        owner = await conn.fetchval("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        return owner, await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()


def backup(folder: Path | None = None, chosen: list[Target] | None = None) -> Path:
    """Dump every target into a new folder under ``folder`` (default deploy/.data/backups); returns it."""
    chosen = chosen or targets()
    out = (folder or DEFAULT_DIR) / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=False)
    out.chmod(0o700)  # personal data, encrypted or not: the operator's eyes only
    manifest: dict = {"created_at": datetime.now(UTC).isoformat(timespec="seconds"), "format": "pg_dump custom",
                      "pg_dump": subprocess.run([pg_tool("pg_dump"), "--version"], capture_output=True, text=True,
                                                check=True).stdout.strip(),
                      "registry_key_fingerprint": key_fingerprint(), "databases": []}
    for target in chosen:
        owner, server = asyncio.run(_owner(target))
        file = out / f"{target.name}.dump"
        args, env = _libpq(target.url)
        subprocess.run([pg_tool("pg_dump"), *args, "--format=custom", "--file", str(file), target.database],
                       env=env, check=True)
        file.chmod(0o600)
        manifest["server_version"] = server
        manifest["databases"].append({"name": target.name, "database": target.database, "owner": owner,
                                      "file": file.name, "bytes": file.stat().st_size, "sha256": _sha256(file)})
        print(f"  {target.name:<12} {target.database:<28} {file.stat().st_size:>12,} bytes")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"backup in {out}")
    return out


def newest(folder: Path | None = None) -> Path:
    found = sorted(p.parent for p in (folder or DEFAULT_DIR).glob("*/manifest.json"))
    if not found:
        raise SystemExit(f"no backup under {folder or DEFAULT_DIR} (make backup makes one)")
    return found[-1]


async def _recreate(server_url: str, database: str, owner: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    finally:
        await conn.close()


def restore(folder: Path, only: list[str] | None = None, renamed: dict[str, str] | None = None,
            chosen: list[Target] | None = None) -> list[str]:
    """Restore the backup in ``folder`` (every database, or ``only`` those names; ``renamed`` maps a name to another
    database to restore into); returns the databases restored. Raises SystemExit when a file does not match the
    manifest, before anything is dropped."""
    manifest = json.loads((folder / "manifest.json").read_text())
    by_name = {t.name: t for t in (chosen or targets())}
    entries = [e for e in manifest["databases"] if not only or e["name"] in only]
    for entry in entries:  # every file intact before any database is dropped
        if _sha256(folder / entry["file"]) != entry["sha256"]:
            raise SystemExit(f"{entry['file']} does not match the manifest: not restoring anything")
    if manifest.get("registry_key_fingerprint") not in (None, key_fingerprint()):
        print("WARNING: the registry's NIK keys configured here are not the ones this backup was made with: "
              "its encrypted personal data will not be readable (docs/operations.md, key custody)", file=sys.stderr)
    done = []
    for entry in entries:
        target = by_name[entry["name"]]
        database = (renamed or {}).get(entry["name"], target.database)
        asyncio.run(_recreate(target.on("postgres"), database, entry["owner"]))
        args, env = _libpq(target.url)
        subprocess.run([pg_tool("pg_restore"), *args, "--exit-on-error", "--dbname", database,
                        str(folder / entry["file"])], env=env, check=True)
        print(f"  {entry['name']:<12} restored into {database}")
        done.append(database)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.backup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where backups are kept")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("backup", help="dump every service database and Keycloak's")
    sub.add_parser("list", help="the backups kept, newest last")
    restoring = sub.add_parser("restore", help="restore a backup (the newest when none is named)")
    restoring.add_argument("folder", type=Path, nargs="?")
    restoring.add_argument("--only", nargs="+", choices=[*SERVICES, "keycloak"])
    restoring.add_argument("--as", dest="renamed", action="append", default=[], metavar="NAME=DATABASE",
                           help="restore NAME's dump into DATABASE instead of its own")
    args = parser.parse_args(argv)
    if args.command == "backup":
        backup(args.dir)
    elif args.command == "list":
        for manifest in sorted(args.dir.glob("*/manifest.json")):
            body = json.loads(manifest.read_text())
            size = sum(d["bytes"] for d in body["databases"])
            print(f"{manifest.parent.name}  {len(body['databases'])} databases  {size:>14,} bytes")
    else:
        folder = args.folder or newest(args.dir)
        renamed = dict(item.split("=", 1) for item in args.renamed)
        restore(folder, args.only, renamed)
        print(f"restored {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
