"""``python -m registry``: serve, or migrate the database (``--help`` lists the commands)."""

import sys

from berdaya_shared import cli

from .bootstrap import SPEC, create_app
from .config import Settings

if __name__ == "__main__":
    sys.exit(cli.run(SPEC, settings=Settings, create_app=create_app))
