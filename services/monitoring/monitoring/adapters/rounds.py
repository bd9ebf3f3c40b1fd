"""DDL of the evaluation rounds' tables."""

from importlib.resources import files


def rounds_ddl() -> str:
    return files(__package__).joinpath("rounds.sql").read_text()
