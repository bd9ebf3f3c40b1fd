"""Print where to sign in, the demo users with their passwords and the machine clients: ``make users``.

Reads the realm files and the secrets the sync wrote (deploy/.data/keycloak/realm-<name>.secrets.json); needs
no running server and only the standard library.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from deploy.keycloak import spec as realmspec

SERVICES = {"registry": "REGISTRY_PORT", "training": "TRAINING_PORT", "marketplace": "MARKETPLACE_PORT",
            "monitoring": "MONITORING_PORT"}
DEFAULT_PORTS = {"registry": 8001, "training": 8002, "marketplace": 8003, "monitoring": 8004}


def opd_and_duties(groups: list[str]) -> tuple[str, str]:
    """('dp3a', 'officer, trainer') from group paths like /dp3a/officer."""
    opds = sorted({g.strip("/").split("/")[0] for g in groups})
    duties = sorted({g.strip("/").split("/")[-1] for g in groups})
    return ", ".join(opds), ", ".join(duties)


def realm_report(spec: dict[str, Any], url: str) -> list[str]:
    realm = spec["realm"]
    directory = realmspec.keycloak_dir()
    secrets_file = realmspec.secrets_path(directory, realm)
    secrets = realmspec.Secrets.read(secrets_file)
    lines = [f"Realm {realm}: sign in at {url}/realms/{realm}/account/  (issuer {url}/realms/{realm})"]
    lines += ["  the services' sign-in pages: " + "  ".join(
        f"http://127.0.0.1:{os.environ.get(var, DEFAULT_PORTS[name])}/auth/login" for name, var in SERVICES.items())]
    if not secrets_file.exists():
        lines.append(f"  (no secrets yet in {secrets_file}: start Keycloak with `make stack-up`)")
    people = [u for u in spec.get("users", []) if "serviceAccountClientId" not in u]
    lines += ["", "  Demo staff (passwords generated for this installation):",
              f"  {'username':<24}{'OPD':<15}{'duties':<34}{'kecamatan':<12}password"]
    for user in people:
        opd, duties = opd_and_duties(user.get("groups", []))
        kecamatan = ",".join(user.get("attributes", {}).get("kecamatan", [])) or "all"
        password = secrets.users.get(user["username"], "(not created yet)")
        lines.append(f"  {user['username']:<24}{opd:<15}{duties:<34}{kecamatan:<12}{password}")
    machines = [u for u in spec.get("users", []) if "serviceAccountClientId" in u]
    lines += ["", f"  Machine clients (client credentials; secrets in {secrets_file}):",
              f"  {'client_id':<28}{'OPD':<15}duties"]
    for user in machines:
        opd, duties = opd_and_duties(user.get("groups", []))
        opd = opd if opd != "subscribers" else "-"
        lines.append(f"  {user['serviceAccountClientId']:<28}{opd:<15}{duties}")
    lines += ["", f"  token: curl -d grant_type=client_credentials -d client_id=machine-dp3a -d client_secret=... "
                  f"{url}/realms/{realm}/protocol/openid-connect/token",
              f"  admin console: {url}/admin/  (credentials in {directory / 'admin.env'})"]
    return lines


def main() -> int:
    url = realmspec.keycloak_url()
    for path in realmspec.realm_files():
        print("\n".join(realm_report(realmspec.load(path), url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
