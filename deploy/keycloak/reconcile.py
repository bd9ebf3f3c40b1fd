"""The shared part of the realm sync: its state, lookups, and the access objects (duties, groups, users).

``sync.RealmSync`` adds the realm's settings, client scopes and clients; see there for the rules.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from deploy.keycloak import spec as realmspec
from deploy.keycloak.admin import Admin
from deploy.keycloak.spec import Secrets, differs


class Reconciler:
    """State of one run against one realm (``realm``, default the file's name); ``changes`` lists what was done."""

    def __init__(self, admin: Admin, spec: dict[str, Any], secrets: Secrets, realm: str | None = None) -> None:
        self.admin = admin
        self.spec = spec
        self.secrets = secrets
        self.realm = realm or spec["realm"]
        self.base = f"/{self.realm}"
        self.changes: list[str] = []
        self._client_ids: dict[str, str] = {}   # clientId -> internal id
        self._groups: dict[str, str] = {}       # group path -> id
        self._cache: dict[str, Any] = {}        # GET answers that this run does not change (client scopes, roles)

    def _changed(self, what: str) -> None:
        self.changes.append(what)

    async def _cached(self, path: str) -> Any:
        if path not in self._cache:
            self._cache[path] = await self.admin.get(path)
        return self._cache[path]

    async def client_id(self, client_id: str) -> str:
        if client_id not in self._client_ids:
            found = await self.admin.get(f"{self.base}/clients", clientId=client_id)
            if not found:
                raise LookupError(f"client {client_id} not found in realm {self.realm}")
            self._client_ids[client_id] = found[0]["id"]
        return self._client_ids[client_id]

    async def group_id(self, path: str) -> str:
        if path not in self._groups:
            self._groups[path] = (await self.admin.get(f"{self.base}/group-by-path{path}"))["id"]
        return self._groups[path]

    # -- realm roles, groups, users ----------------------------------------------------------------------------
    async def role_reps(self, mapping: dict[str, Any]) -> list[dict[str, Any]]:
        """Role representations for ``{"realm": [...], "client": {clientId: [...]}}`` (a composites block)."""
        reps = [await self._cached(f"{self.base}/roles/{name}") for name in mapping.get("realm", [])]
        for client_id, names in mapping.get("client", {}).items():
            roles = await self._cached(f"{self.base}/clients/{await self.client_id(client_id)}/roles")
            by_name = {r["name"]: r for r in roles}
            reps += [by_name[n] for n in names]
        return reps

    async def sync_mapping(self, path: str, wanted: list[dict[str, Any]], current: list[dict[str, Any]],
                           label: str) -> None:
        """Make a role mapping (composites or a group's realm roles) exactly ``wanted`` (by role id)."""
        have = {r["id"]: r for r in current}
        want = {r["id"]: r for r in wanted}
        if add := [r for i, r in want.items() if i not in have]:
            await self.admin.post(path, add)
            self._changed(f"{label} + {', '.join(sorted(r['name'] for r in add))}")
        if remove := [r for i, r in have.items() if i not in want]:
            await self.admin.delete(path, remove)
            self._changed(f"{label} - {', '.join(sorted(r['name'] for r in remove))}")

    async def sync_realm_role(self, role: dict[str, Any]) -> None:
        fields = {k: v for k, v in role.items() if k not in ("composites", "composite")}
        answer = await self.admin.request("GET", f"{self.base}/roles/{role['name']}", ok=(200, 404))
        if answer.status_code == 404:
            await self.admin.post(f"{self.base}/roles", fields)
            self._changed(f"role {role['name']} created")
        elif differs(answer.json(), fields):
            await self.admin.put(f"{self.base}/roles/{role['name']}", {**answer.json(), **fields})
            self._changed(f"role {role['name']} updated")
        path = f"{self.base}/roles/{role['name']}/composites"
        await self.sync_mapping(path, await self.role_reps(role.get("composites", {})), await self.admin.get(path),
                                f"role {role['name']} composites")

    async def sync_group(self, group: dict[str, Any], parent: str | None, parent_path: str) -> None:
        path = f"{parent_path}/{group['name']}"
        siblings = await (self.admin.get(f"{self.base}/groups", briefRepresentation="false", max=1000) if parent is None
                          else self.admin.get(f"{self.base}/groups/{parent}/children", briefRepresentation="false",
                                              max=1000))
        current = next((g for g in siblings if g["name"] == group["name"]), None)
        fields = {"name": group["name"], "attributes": group.get("attributes", {})}
        if current is None:
            url = f"{self.base}/groups" if parent is None else f"{self.base}/groups/{parent}/children"
            group_id = await self.admin.create(url, fields)
            self._changed(f"group {path} created")
        else:
            group_id = current["id"]
            if differs(current, fields):
                attributes = {**current.get("attributes", {}), **fields["attributes"]}
                await self.admin.put(f"{self.base}/groups/{group_id}", {**current, "attributes": attributes})
                self._changed(f"group {path} updated")
        self._groups[path] = group_id
        roles = f"{self.base}/groups/{group_id}/role-mappings/realm"
        await self.sync_mapping(roles, await self.role_reps({"realm": group.get("realmRoles", [])}),
                                await self.admin.get(roles), f"group {path} roles")
        await each(group.get("subGroups", []), lambda child: self.sync_group(child, group_id, path))

    async def sync_user(self, user: dict[str, Any]) -> None:
        groups = user.get("groups", [])
        if "serviceAccountClientId" in user:
            client = await self.client_id(user["serviceAccountClientId"])
            user_id = (await self.admin.get(f"{self.base}/clients/{client}/service-account-user"))["id"]
        else:
            user_id = await self.sync_person(user)
        path = f"{self.base}/users/{user_id}/groups"
        current = {g["path"]: g["id"] for g in await self.admin.get(path)}
        for group in groups:
            if group not in current:
                await self.admin.put(f"{path}/{await self.group_id(group)}", None)
                self._changed(f"user {user['username']} joined {group}")
        for group, group_id in current.items():
            if group not in groups:
                await self.admin.delete(f"{path}/{group_id}")
                self._changed(f"user {user['username']} left {group}")

    async def sync_person(self, user: dict[str, Any]) -> str:
        name = user["username"]
        fields = {k: v for k, v in user.items() if k not in ("groups", "credentials")}
        found = await self.admin.get(f"{self.base}/users", username=name, exact="true")
        if not found:
            password = self.secrets.users.setdefault(name, realmspec.new_password())
            credentials = [{"type": "password", "value": password, "temporary": False}]
            user_id = await self.admin.create(f"{self.base}/users", {**fields, "credentials": credentials})
            self._changed(f"user {name} created")
            return user_id
        current = await self.admin.get(f"{self.base}/users/{found[0]['id']}")
        if differs(current, fields):
            attributes = {**(current.get("attributes") or {}), **fields.get("attributes", {})}
            await self.admin.put(f"{self.base}/users/{current['id']}", {**current, **fields, "attributes": attributes})
            self._changed(f"user {name} updated")
        if name not in self.secrets.users:  # the record was lost: a known password beats an unknown one
            self.secrets.users[name] = realmspec.new_password()
            await self.admin.put(f"{self.base}/users/{current['id']}/reset-password",
                                 {"type": "password", "value": self.secrets.users[name], "temporary": False})
            self._changed(f"user {name}: password set (none was recorded)")
        return str(current["id"])


async def each(items: list[Any], check: Callable[[Any], Awaitable[None]], limit: int = 6) -> None:
    """Run ``check`` on every item, at most ``limit`` at a time; the first failure is raised."""
    gate = asyncio.Semaphore(limit)

    async def one(item: Any) -> None:
        async with gate:
            await check(item)

    await asyncio.gather(*(one(item) for item in items))


def with_paths(groups: list[dict[str, Any]], parent: str) -> list[dict[str, Any]]:
    """Groups with their ``path`` filled in, as partialImport needs it."""
    return [{**g, "path": f"{parent}/{g['name']}", "subGroups": with_paths(g.get("subGroups", []), f"{parent}/{g['name']}")}
            for g in groups]
