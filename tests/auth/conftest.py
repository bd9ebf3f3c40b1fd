from tests.support.keycloak import keycloak, keycloak_realm, keycloak_realm_proxied  # noqa: F401 (fixtures)
