"""The secured Kafka of Berdaya: principals and ACLs as code (acls.py), the installation's secrets
(credentials.py, tls.py), node configuration (broker.py), admin operations (admin.py), private clusters for the
fault suite and the bench (cluster.py), subscribing agencies (subscribers.py). ``python -m deploy.kafka --help``."""
