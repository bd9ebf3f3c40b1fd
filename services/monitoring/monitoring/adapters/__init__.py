"""Database adapters: the projection DDL and the service's own tables."""

from importlib.resources import files

LIVE_SCHEMA = "proj"
SHADOW_SCHEMA = "proj_shadow"


def projection_ddl(schema: str) -> str:
    """DDL of the projection tables inside ``schema`` (created if missing)."""
    body = files(__package__).joinpath("projection.sql").read_text()
    return (f"CREATE SCHEMA IF NOT EXISTS {schema};\nSET LOCAL search_path TO {schema}, public;\n{body}\n"
            "SET LOCAL search_path TO public;")


def service_ddl() -> str:
    return files(__package__).joinpath("schema.sql").read_text()
