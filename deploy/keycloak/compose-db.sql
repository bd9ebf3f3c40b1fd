-- Keycloak's role and database on the compose PostgreSQL (run by the keycloak-db job of deploy/compose.yaml;
-- idempotent, so it also serves a volume created before Keycloak was added). psql variable: pw.
SELECT 'CREATE ROLE keycloak LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'keycloak') \gexec
ALTER ROLE keycloak LOGIN PASSWORD :'pw';
SELECT 'CREATE DATABASE keycloak OWNER keycloak' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'keycloak') \gexec
