"""The realm file (``realm-<name>.json``) and the per-installation secrets that go with it.

The realm file is a Keycloak RealmRepresentation (the export format) with three liberties: no secret anywhere,
keys starting with ``_`` are ours (``_userProfile``: attributes to declare in the realm's user profile;
``_comment``), and ``requiredActions`` entries may name only ``alias``, ``enabled`` and ``defaultAction``.
Secrets (client secrets, demo users' passwords) are generated once per installation and kept in
``realm-<name>.secrets.json`` beside the server's data, mode 600.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REALM_DIR = Path(__file__).resolve().parent


def keycloak_dir() -> Path:
    """The directory of the local server's state: ``KEYCLOAK_DIR``, else ``$BERDAYA_DATA_DIR/keycloak``,
    else ``deploy/.data/keycloak`` of this checkout (what deploy/keycloak.sh uses)."""
    if os.environ.get("KEYCLOAK_DIR"):
        return Path(os.environ["KEYCLOAK_DIR"])
    data = os.environ.get("BERDAYA_DATA_DIR") or Path(__file__).resolve().parents[1] / ".data"
    return Path(data) / "keycloak"


def keycloak_url() -> str:
    """``KEYCLOAK_URL``, else ``http://127.0.0.1:$KEYCLOAK_PORT`` (8080)."""
    return os.environ.get("KEYCLOAK_URL") or f"http://127.0.0.1:{os.environ.get('KEYCLOAK_PORT', '8080')}"


def realm_files() -> list[Path]:
    """Every realm file under deploy/keycloak/, sorted."""
    return sorted(REALM_DIR.glob("realm-*.json"))


def load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return spec


def new_client_secret() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, 192 bits


def new_password() -> str:
    """20 characters (120 bits): meets the realm's policy (length 12..128, not the username or email)."""
    return secrets.token_urlsafe(15)


@dataclass
class Secrets:
    """Client secrets by clientId and user passwords by username, for one realm."""

    clients: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Secrets:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(clients=dict(data.get("clients", {})), users=dict(data.get("users", {})))

    def write(self, path: Path) -> None:
        """Atomically, mode 600 from the first byte."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"clients": self.clients, "users": self.users}, out, indent=2, sort_keys=True)
        os.replace(tmp, path)


def secrets_path(directory: Path, realm: str) -> Path:
    return directory / f"realm-{realm}.secrets.json"


# Keys of the realm representation that are collections, reconciled one by one rather than with the settings.
COLLECTIONS = frozenset({
    "realm", "clients", "clientScopes", "roles", "groups", "users", "requiredActions", "components",
    "defaultDefaultClientScopes", "defaultOptionalClientScopes", "identityProviders", "authenticationFlows",
})


def settings(spec: dict[str, Any]) -> dict[str, Any]:
    """The realm's own settings: every key that is neither a collection nor ours."""
    return {k: v for k, v in spec.items() if k not in COLLECTIONS and not k.startswith("_")}


def differs(current: Any, desired: Any) -> bool:
    """True when ``current`` (what Keycloak answers) does not carry ``desired`` (what the file says).

    Dicts compare on the desired keys only (Keycloak adds defaults); lists of scalars compare as sets, since
    Keycloak does not keep their order; other lists element by element.
    """
    if isinstance(desired, dict):
        return not isinstance(current, dict) or any(differs(current.get(k), v) for k, v in desired.items())
    if isinstance(desired, list):
        if not isinstance(current, list):
            return bool(desired) or current is not None
        if all(not isinstance(x, dict | list) for x in desired):
            return sorted(map(str, current)) != sorted(map(str, desired))
        return len(current) != len(desired) or any(differs(c, d) for c, d in zip(current, desired, strict=True))
    return bool(current != desired)


def needs_secret(client: dict[str, Any]) -> bool:
    """A confidential client that authenticates somewhere (web sign-in or client credentials)."""
    return not client.get("publicClient", False) and bool(
        client.get("standardFlowEnabled", True) or client.get("serviceAccountsEnabled", False))
