"""Keycloak for Berdaya: the realm as code and the tools that apply it.

- ``realm-berdaya.json``: the realm (roles, groups, clients, the token contract's mappers, demo users), with no
  secret in it; ``deploy/keycloak.sh`` runs the server, ``python -m deploy.keycloak.sync`` applies the file.
- ``admin``: a small async client of Keycloak's admin REST API (httpx).
- ``sync``: the idempotent reconciler: creates what is missing, updates what differs, generates secrets once.
- ``users``: prints the sign-in address, the demo users and the machine clients (``make users``).
"""
