# Keycloak fixtures for the deploy tests (a later conftest may register them for the whole suite instead).
from tests.support.keycloak import keycloak, keycloak_realm, keycloak_realm_proxied  # noqa: F401
