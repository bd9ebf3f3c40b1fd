"""Apply a realm file to a running Keycloak, idempotently: ``python -m deploy.keycloak.sync``.

Keycloak's ``--import-realm`` skips a realm that exists, so a changed file would never reach an installation.
This reconciler reads what Keycloak has through the admin REST API and writes only what differs: it creates
missing objects, updates objects whose named fields differ, makes the file's group memberships, composite roles
and client scopes exact, and never deletes an object the file does not name (a regency's own users and clients
stay). A second run right after the first changes nothing. Secrets are generated on first creation only
(``spec.Secrets``); an existing client's secret is read back from Keycloak, so a rotation done there is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import sys
import time
from pathlib import Path
from typing import Any

from deploy.keycloak import spec as realmspec
from deploy.keycloak.admin import Admin, AdminError, local_admin
from deploy.keycloak.reconcile import Reconciler, each, with_paths
from deploy.keycloak.spec import Secrets, differs, keycloak_dir, needs_secret

CLIENT_SCOPE_LISTS = {"defaultClientScopes": "default-client-scopes", "optionalClientScopes": "optional-client-scopes"}


class RealmSync(Reconciler):
    """Reconcile one realm with its realm file: settings, user profile, client scopes, clients, then the access
    objects of ``Reconciler`` (duties, groups, users)."""

    async def run(self, *, verify: bool = True) -> list[str]:
        """Create the realm if absent, then (``verify``) reconcile every object; returns the changes made."""
        if not await self.admin.realm_exists(self.realm):
            await self.create()
            if not verify:
                return self.changes
        await self.sync_settings()
        await self.sync_user_profile()
        await self.sync_required_actions()
        for scope in self.spec.get("clientScopes", []):
            await self.sync_client_scope(scope)
        # Each kind depends on the one before (clients hold the scope roles that duties bundle, groups map
        # duties, users join groups); objects of one kind are independent, so they are checked concurrently.
        await each(self.spec.get("clients", []), self.sync_client)
        await each(list(self.spec.get("roles", {}).get("client", {}).items()), lambda item: self.sync_client_roles(*item))
        await each(self.spec.get("roles", {}).get("realm", []), self.sync_realm_role)
        await each(self.spec.get("groups", []), lambda group: self.sync_group(group, parent=None, parent_path=""))
        await each(self.spec.get("users", []), self.sync_user)
        return self.changes

    # -- realm -------------------------------------------------------------------------------------------------
    async def create(self) -> None:
        """A new realm in a handful of calls (about 3 s): settings, user profile and client scopes first (users'
        attributes need the profile, clients need the scopes), then one partialImport of clients, roles, groups
        and users with their generated secrets. A reconcile right after finds nothing to change (tested)."""
        await self.admin.post("", {"realm": self.realm, "enabled": True, **realmspec.settings(self.spec)})
        await self.sync_user_profile()
        await self.sync_required_actions()
        for scope in self.spec.get("clientScopes", []):
            await self.sync_client_scope(scope)
        self.changes = [f"realm {self.realm} created"]
        clients = [{**c, "secret": self.secrets.clients.setdefault(c["clientId"], realmspec.new_client_secret())}
                   if needs_secret(c) else c for c in self.spec.get("clients", [])]
        users = [u if "serviceAccountClientId" in u else {**u, "credentials": [{
            "type": "password", "value": self.secrets.users.setdefault(u["username"], realmspec.new_password()),
            "temporary": False}]} for u in self.spec.get("users", [])]
        answer = await self.admin.post(f"{self.base}/partialImport", {
            "ifResourceExists": "SKIP", "clients": clients, "roles": self.spec.get("roles", {}),
            "groups": with_paths(self.spec.get("groups", []), ""), "users": users,
        })
        self._changed(f"imported {answer.json()['added']} clients, roles, groups and users")

    async def sync_settings(self) -> None:
        desired = realmspec.settings(self.spec)
        current = await self.admin.get(self.base)
        update = {k: v for k, v in desired.items() if differs(current.get(k), v)}
        if update:
            await self.admin.put(self.base, update)
            self._changed(f"realm settings: {', '.join(sorted(update))}")

    async def sync_user_profile(self) -> None:
        wanted = self.spec.get("_userProfile", {}).get("attributes", [])
        if not wanted:
            return
        config = await self.admin.get(f"{self.base}/users/profile")
        attributes = config.setdefault("attributes", [])
        changed = []
        for attribute in wanted:
            current = next((a for a in attributes if a["name"] == attribute["name"]), None)
            if current is None:
                attributes.append(attribute)
            elif differs(current, attribute):
                current.update(attribute)
            else:
                continue
            changed.append(attribute["name"])
        if changed:
            await self.admin.put(f"{self.base}/users/profile", config)
            self._changed(f"user profile attributes: {', '.join(changed)}")

    async def sync_required_actions(self) -> None:
        for action in self.spec.get("requiredActions", []):
            path = f"{self.base}/authentication/required-actions/{action['alias']}"
            current = await self.admin.get(path)
            if differs(current, action):
                await self.admin.put(path, {**current, **action})
                self._changed(f"required action {action['alias']}")

    # -- client scopes and mappers -----------------------------------------------------------------------------
    async def sync_client_scope(self, scope: dict[str, Any]) -> None:
        existing = {s["name"]: s for s in await self.admin.get(f"{self.base}/client-scopes")}
        current = existing.get(scope["name"])
        if current is None:
            await self.admin.post(f"{self.base}/client-scopes", scope)
            self._changed(f"client scope {scope['name']} created")
            return
        fields = {k: v for k, v in scope.items() if k != "protocolMappers"}
        if differs(current, fields):
            await self.admin.put(f"{self.base}/client-scopes/{current['id']}", {**current, **fields})
            self._changed(f"client scope {scope['name']} updated")
        await self.sync_mappers(f"{self.base}/client-scopes/{current['id']}", scope.get("protocolMappers", []),
                                f"client scope {scope['name']}")

    async def sync_mappers(self, owner: str, wanted: list[dict[str, Any]], label: str) -> None:
        """Make the owner's protocol mappers exactly the wanted ones (matched by name)."""
        path = f"{owner}/protocol-mappers/models"
        current = {m["name"]: m for m in await self.admin.get(path)}
        for mapper in wanted:
            have = current.pop(mapper["name"], None)
            if have is None:
                await self.admin.post(path, mapper)
                self._changed(f"{label}: mapper {mapper['name']} created")
            elif differs(have, mapper):
                await self.admin.put(f"{path}/{have['id']}", {**have, **mapper, "config": {**mapper["config"]}})
                self._changed(f"{label}: mapper {mapper['name']} updated")
        for name, extra in current.items():
            await self.admin.delete(f"{path}/{extra['id']}")
            self._changed(f"{label}: mapper {name} removed")

    # -- clients -----------------------------------------------------------------------------------------------
    async def sync_client(self, client: dict[str, Any]) -> None:
        name = client["clientId"]
        fields = {k: v for k, v in client.items() if k not in CLIENT_SCOPE_LISTS and k != "protocolMappers"}
        found = await self.admin.get(f"{self.base}/clients", clientId=name)
        if not found:
            if needs_secret(client):
                fields["secret"] = self.secrets.clients.setdefault(name, realmspec.new_client_secret())
            self._client_ids[name] = await self.admin.create(f"{self.base}/clients", fields)
            self._changed(f"client {name} created")
        else:
            current = found[0]
            self._client_ids[name] = current["id"]
            if differs(current, fields):
                merged = {**current, **fields, "attributes": {**current.get("attributes", {}),
                                                              **fields.get("attributes", {})}}
                await self.admin.put(f"{self.base}/clients/{current['id']}", merged)
                self._changed(f"client {name} updated")
            if needs_secret(client):
                secret = (await self.admin.get(f"{self.base}/clients/{current['id']}/client-secret"))["value"]
                if self.secrets.clients.get(name) != secret:
                    self.secrets.clients[name] = secret  # Keycloak's is the one in force (a rotation is kept)
        client_path = f"{self.base}/clients/{self._client_ids[name]}"
        for key, endpoint in CLIENT_SCOPE_LISTS.items():
            if key in client:
                await self.sync_scope_list(client_path, endpoint, client[key], name)
        if "protocolMappers" in client:
            await self.sync_mappers(client_path, client["protocolMappers"], f"client {name}")

    async def sync_scope_list(self, client_path: str, endpoint: str, wanted: list[str], name: str) -> None:
        scopes = {s["name"]: s["id"] for s in await self._cached(f"{self.base}/client-scopes")}
        current = {s["name"]: s["id"] for s in await self.admin.get(f"{client_path}/{endpoint}")}
        for scope in wanted:
            if scope not in current:
                if scope not in scopes:
                    raise LookupError(f"client {name}: client scope {scope} does not exist")
                await self.admin.put(f"{client_path}/{endpoint}/{scopes[scope]}", None)
                self._changed(f"client {name}: {endpoint} + {scope}")
        for scope, scope_id in current.items():
            if scope not in wanted:
                await self.admin.delete(f"{client_path}/{endpoint}/{scope_id}")
                self._changed(f"client {name}: {endpoint} - {scope}")

    async def sync_client_roles(self, client_id: str, roles: list[dict[str, Any]]) -> None:
        path = f"{self.base}/clients/{await self.client_id(client_id)}/roles"
        current = {r["name"]: r for r in await self.admin.get(path, briefRepresentation="false")}
        for role in roles:
            have = current.get(role["name"])
            if have is None:
                await self.admin.post(path, role)
                self._changed(f"role {client_id}/{role['name']} created")
            elif differs(have, role):
                await self.admin.put(f"{path}/{role['name']}", {**have, **role})
                self._changed(f"role {client_id}/{role['name']} updated")

async def sync_file(admin: Admin, path: Path, directory: Path, realm: str | None = None) -> list[str]:
    """Apply one realm file; its secrets are read from and written back to ``directory``."""
    spec = realmspec.load(path)
    name = realm or spec["realm"]
    secrets_file = realmspec.secrets_path(directory, name)
    secrets = Secrets.read(secrets_file)
    before = copy.deepcopy(secrets)
    try:
        return await RealmSync(admin, spec, secrets, name).run()
    finally:
        if secrets != before:  # what was created must not lose its secret, even if a later step failed
            secrets.write(secrets_file)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="realm files (default: deploy/keycloak/realm-*.json)")
    args = parser.parse_args(argv)
    directory = keycloak_dir()
    async with local_admin() as admin:
        for path in args.files or realmspec.realm_files():
            t0 = time.perf_counter()
            try:
                changes = await sync_file(admin, path, directory)
            except (AdminError, LookupError) as error:
                print(f"[keycloak sync] {path.name}: FAILED: {error}", file=sys.stderr)
                return 1
            for change in changes:
                print(f"[keycloak sync]   {change}")
            print(f"[keycloak sync] {path.name}: {len(changes)} change(s) in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
