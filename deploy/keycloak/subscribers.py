"""The Keycloak half of ``make subscriber NAME=<agency> [ACTION=add|list|revoke]`` (deploy/kafka/subscribers.py
runs the Kafka half, then calls these).

A subscribing agency reads Berdaya's HTTP APIs as a machine client ``ext-<agency>`` (``<ns>-ext-<agency>`` for a
namespaced copy) of the realm (``KEYCLOAK_REALM``, default ``berdaya``): client-credentials grant only, 15-minute
tokens, its service account in the group ``/subscribers``, which carries the ``subscriber`` duty (scope
``public:read``, no OPD). The client's secret is kept beside the realm's other generated secrets and written for
the agency to ``deploy/.data/keycloak/subscribers/<client>.env`` (mode 600, outside git): ``KEYCLOAK_TOKEN_URL``,
``KEYCLOAK_CLIENT_ID``, ``KEYCLOAK_CLIENT_SECRET``. Adding again keeps the secret in force and repairs the client;
``revoke`` deletes the client (its tokens stop being issued at once; tokens already issued expire within 15
minutes) and the handout.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from deploy.keycloak import spec as realmspec
from deploy.keycloak.admin import local_admin
from deploy.keycloak.spec import Secrets, keycloak_dir, keycloak_url
from deploy.keycloak.sync import RealmSync

GROUP = "/subscribers"
TOKEN_LIFESPAN_S = 900


def realm_name() -> str:
    return os.environ.get("KEYCLOAK_REALM", "berdaya")


def client_id_of(agency: str, namespace: str = "") -> str:
    return f"{namespace}-ext-{agency}" if namespace else f"ext-{agency}"


def handout_path(client_id: str, directory: Path | None = None) -> Path:
    return (directory or keycloak_dir()) / "subscribers" / f"{client_id}.env"


def client_spec(agency: str, client_id: str) -> dict[str, Any]:
    """The client as the realm file writes its own subscriber (``ext-bappeda``)."""
    return {
        "clientId": client_id, "name": f"{agency} (instansi pelanggan)",
        "description": "Machine client (client credentials) acting as /subscribers.", "enabled": True,
        "protocol": "openid-connect", "publicClient": False, "clientAuthenticatorType": "client-secret",
        "standardFlowEnabled": False, "implicitFlowEnabled": False, "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True, "consentRequired": False, "fullScopeAllowed": True,
        "attributes": {"access.token.lifespan": str(TOKEN_LIFESPAN_S)},
        "defaultClientScopes": ["berdaya", "basic"], "optionalClientScopes": [],
    }


def _write_handout(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.writelines(f"{k}={v}\n" for k, v in values.items())
    os.replace(tmp, path)


async def add_client(agency: str, namespace: str = "") -> dict[str, str]:
    """Create or repair the agency's client; returns what to tell the agency (client id, token URL, where the
    secret was written)."""
    realm, directory = realm_name(), keycloak_dir()
    client_id = client_id_of(agency, namespace)
    secrets_file = realmspec.secrets_path(directory, realm)
    secrets = Secrets.read(secrets_file)
    async with local_admin() as admin:
        sync = RealmSync(admin, {}, secrets, realm)
        await sync.sync_client(client_spec(agency, client_id))
        await sync.sync_user({"username": f"service-account-{client_id}", "serviceAccountClientId": client_id,
                              "groups": [GROUP]})
    secrets.write(secrets_file)
    token_url = f"{keycloak_url()}/realms/{realm}/protocol/openid-connect/token"
    handout = handout_path(client_id, directory)
    _write_handout(handout, {"KEYCLOAK_TOKEN_URL": token_url, "KEYCLOAK_CLIENT_ID": client_id,
                             "KEYCLOAK_CLIENT_SECRET": secrets.clients[client_id]})
    return {"client_id": client_id, "token_url": token_url, "secret_in": str(handout)}


async def list_clients(namespace: str = "") -> dict[str, dict[str, str]]:
    """agency -> its client's facts, for every subscriber client of ``namespace`` in the realm."""
    realm, prefix = realm_name(), client_id_of("", namespace)
    async with local_admin() as admin:
        clients = await admin.get(f"/{realm}/clients", clientId=prefix, search="true")
        found: dict[str, dict[str, str]] = {}
        for client in clients:
            name = client["clientId"]
            agency = name.removeprefix(prefix)
            if not name.startswith(prefix) or not agency or client_id_of(agency, namespace) != name:
                continue
            account = await admin.get(f"/{realm}/clients/{client['id']}/service-account-user")
            groups = [g["path"] for g in await admin.get(f"/{realm}/users/{account['id']}/groups")]
            found[agency] = {"client_id": name, "enabled": str(client.get("enabled", False)).lower(),
                             "groups": ",".join(groups) or "-"}
    return found


async def revoke_client(agency: str, namespace: str = "") -> bool:
    """Delete the agency's client, its kept secret and its handout; False when there was none."""
    realm, directory = realm_name(), keycloak_dir()
    client_id = client_id_of(agency, namespace)
    async with local_admin() as admin:
        found = await admin.get(f"/{realm}/clients", clientId=client_id)
        if found:
            await admin.delete(f"/{realm}/clients/{found[0]['id']}")
    secrets_file = realmspec.secrets_path(directory, realm)
    secrets = Secrets.read(secrets_file)
    if secrets.clients.pop(client_id, None) is not None:
        secrets.write(secrets_file)
    handout_path(client_id, directory).unlink(missing_ok=True)
    return bool(found)
