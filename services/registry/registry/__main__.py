import sys

import uvicorn

from .bootstrap import create_app
from .config import Settings


def main() -> None:
    if sys.argv[1:2] == ["clients"]:
        from .cli_clients import main as clients_main

        sys.exit(clients_main(sys.argv[2:]))
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
