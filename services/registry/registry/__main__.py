"""``python -m registry``: serve, migrate the database, or manage OAuth clients (``--help`` lists the commands)."""

import sys

from berdaya_shared import cli

from .bootstrap import SPEC, create_app
from .config import Settings

if __name__ == "__main__":
    if sys.argv[1:2] == ["clients"]:
        from .cli_clients import main as clients_main

        sys.exit(clients_main(sys.argv[2:]))
    sys.exit(cli.run(SPEC, settings=Settings, create_app=create_app))
