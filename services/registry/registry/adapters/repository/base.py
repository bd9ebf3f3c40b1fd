"""What every registry repository is: SQL on the connection of one transaction (or one read)."""

import asyncpg


class Repository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
