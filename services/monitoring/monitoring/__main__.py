"""``python -m monitoring``: serve the API and dashboard, migrate, or rebuild the projections (``--help``)."""

import sys

from berdaya_shared import cli, migrate

from .adapters import MIGRATIONS
from .config import Settings
from .entrypoints.commands import COMMANDS, DESCRIPTION, serve

if __name__ == "__main__":
    sys.exit(cli.main(service="monitoring", description=DESCRIPTION, settings=Settings, serve=serve,
                      migrations=lambda: migrate.load("monitoring", MIGRATIONS), commands=COMMANDS))
