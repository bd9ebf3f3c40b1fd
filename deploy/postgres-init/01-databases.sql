-- Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d), as POSTGRES_USER.
-- One database per service plus the test database (POSTGRES_DB); deploy/stack.sh creates the same set.
CREATE DATABASE berdaya_registry;
CREATE DATABASE berdaya_training;
CREATE DATABASE berdaya_marketplace;
CREATE DATABASE berdaya_monitoring;
