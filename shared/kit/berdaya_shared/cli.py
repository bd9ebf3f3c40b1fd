"""``python -m <service>``: one command line for every service.

    python -m training              serve (the default)
    python -m training serve        serve on the configured host and port
    python -m training migrate      apply pending schema migrations and exit
    python -m training migrate --status
    python -m training --help

A service adds its own subcommands (the registry's key rotation, monitoring's rebuild) as ``Command`` entries.
Every command logs as JSON lines on standard error (``berdaya_shared.observability.logs``; level from LOG_LEVEL).
"""

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from . import migrate
from .observability.logs import configure_logging, hold_warnings

hold_warnings()  # a library's import-time warning waits for the JSON log instead of printing a plain line


@dataclass(frozen=True)
class Command:
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Any], int]  # (arguments, settings) -> exit code


def main(
    *,
    service: str,
    description: str,
    settings: Callable[[], Any],
    serve: Callable[[Any], None],
    migrations: Callable[[], Sequence[migrate.Migration]],
    commands: dict[str, Command] | None = None,
    argv: Sequence[str] | None = None,
) -> int:
    """Parse ``argv`` and run the chosen subcommand; returns the exit code.

    ``settings`` builds the service's settings from the environment (only once a command needs them, so
    ``--help`` works without any configuration)."""
    parser = argparse.ArgumentParser(prog=f"python -m {service}", description=description,
                                     epilog="Settings come from environment variables; see the service's README.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("serve", help="serve the HTTP API and the Kafka side (the default)")
    migrate_parser = sub.add_parser("migrate", help="apply pending schema migrations, then exit")
    migrate_parser.add_argument("--status", action="store_true", help="list migrations and whether each is applied")
    for name, command in (commands or {}).items():
        command.configure(sub.add_parser(name, help=command.help))
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    configure_logging(service)
    chosen = args.command or "serve"
    if chosen == "serve":
        serve(settings())
        return 0
    if chosen == "migrate":
        return asyncio.run(_migrate(settings().database_url, migrations(), status_only=args.status))
    return (commands or {})[chosen].run(args, settings())


async def _migrate(database_url: str, service: Sequence[migrate.Migration], *, status_only: bool) -> int:
    plan = [*migrate.kit_migrations(), *service]
    conn = await asyncpg.connect(database_url)
    try:
        if status_only:
            for item in await migrate.status(conn, plan):
                when = item.applied_at.isoformat(timespec="seconds") if item.applied_at else "pending"
                print(f"{item.migration.label:<60} {when}")
            return 0
        applied = await migrate.migrate(conn, plan)
    finally:
        await conn.close()
    for migration in applied:
        print(f"applied {migration.label}")
    print(f"{len(applied)} migration(s) applied; the schema is current")
    return 0


def run(spec: Any, *, settings: Callable[[], Any], create_app: Callable[[Any], Any],
        commands: dict[str, Command] | None = None, uvicorn_options: dict[str, Any] | None = None,
        argv: Sequence[str] | None = None) -> int:
    """``main`` for a service described by a ``berdaya_shared.service.ServiceSpec``: serve with uvicorn on the
    settings' host and port, migrate with the spec's migrations."""
    from .service import service_migrations

    def serve(config: Any) -> None:
        serve_uvicorn(create_app(config), host=config.host, port=config.port, **(uvicorn_options or {}))

    return main(service=spec.name, description=spec.description, settings=settings, serve=serve,
                migrations=lambda: service_migrations(spec), commands=commands, argv=argv)


def serve_uvicorn(app: Any, *, host: str, port: int, **options: Any) -> None:
    """``uvicorn.run`` that keeps this process's JSON logging: uvicorn's own log configuration is not applied, its
    loggers (access log included) go through ours."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_config=None, **options)
