-- The registry no longer issues tokens: staff and machine clients get them from the identity provider (Keycloak,
-- or the OIDC provider a regency already runs). The home-made token server's client store goes.
DROP TABLE IF EXISTS oauth_clients;
