"""Apply principals and ACLs (deploy/kafka/acls.py) to a running cluster through Kafka's admin API, as the admin
principal: SCRAM credentials (AlterUserScramCredentials) and ACLs (CreateAcls / DescribeAcls / DeleteAcls).

The client is confluent-kafka's ``AdminClient`` (librdkafka): aiokafka 0.14 has no admin calls for SCRAM
credentials or ACLs. Every function here is idempotent and blocking (callers on an event loop use
``asyncio.to_thread``).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from berdaya_shared.messaging import MessagingSettings
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from .acls import Acl

TIMEOUT_S = 30.0
SCRAM_ITERATIONS = 8192  # Kafka accepts 4096..16384
_RESOURCE = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP, "cluster": ResourceType.BROKER}
_PATTERN = {"literal": ResourcePatternType.LITERAL, "prefixed": ResourcePatternType.PREFIXED}
_OPERATION = {"read": AclOperation.READ, "write": AclOperation.WRITE, "describe": AclOperation.DESCRIBE,
              "idempotent_write": AclOperation.IDEMPOTENT_WRITE}


def librdkafka_config(settings: MessagingSettings) -> dict[str, Any]:
    """The same connection as ``kafka_client_kwargs`` in librdkafka's terms."""
    config: dict[str, Any] = {"bootstrap.servers": settings.kafka_bootstrap_servers, "log_level": 4,
                              "security.protocol": settings.kafka_security_protocol.lower()}
    if settings.kafka_security_protocol != "PLAINTEXT":
        assert settings.kafka_username and settings.kafka_password is not None
        config.update({"sasl.mechanism": settings.kafka_sasl_mechanism, "sasl.username": settings.kafka_username,
                       "sasl.password": settings.kafka_password.get_secret_value()})
    if settings.kafka_security_protocol == "SASL_SSL" and settings.kafka_ca_file:
        config["ssl.ca.location"] = str(settings.kafka_ca_file)
    return config


def client(settings: MessagingSettings) -> AdminClient:
    return AdminClient(librdkafka_config(settings))


def scram_users(admin: AdminClient) -> set[str]:
    """Every user that has SCRAM credentials on the cluster."""
    return set(admin.describe_user_scram_credentials(request_timeout=TIMEOUT_S).result(TIMEOUT_S))


def upsert_scram(admin: AdminClient, passwords: Mapping[str, str], *, only_missing: bool = True) -> list[str]:
    """Give each principal its SCRAM-SHA-512 password (``only_missing``: those that have none yet). Returns the
    principals changed."""
    present = scram_users(admin) if only_missing else set()
    todo = {user: pw for user, pw in passwords.items() if user not in present}
    if not todo:
        return []
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    futures = admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(user, info, pw.encode()) for user, pw in todo.items()],
        request_timeout=TIMEOUT_S)
    for future in futures.values():
        future.result(TIMEOUT_S)
    return sorted(todo)


def delete_scram(admin: AdminClient, principals: Iterable[str]) -> None:
    present = scram_users(admin)
    doomed = [UserScramCredentialDeletion(p, ScramMechanism.SCRAM_SHA_512) for p in principals if p in present]
    if doomed:
        for future in admin.alter_user_scram_credentials(doomed, request_timeout=TIMEOUT_S).values():
            future.result(TIMEOUT_S)


def _binding(acl: Acl) -> AclBinding:
    return AclBinding(_RESOURCE[acl.resource], acl.name, _PATTERN[acl.pattern], f"User:{acl.principal}", "*",
                      _OPERATION[acl.operation], AclPermissionType.ALLOW)


def _acl(binding: AclBinding) -> Acl | None:
    """Our form of a binding, or None for one we never write (DENY rules, other hosts, other operations)."""
    resources = {v: k for k, v in _RESOURCE.items()}
    patterns = {v: k for k, v in _PATTERN.items()}
    operations = {v: k for k, v in _OPERATION.items()}
    if (binding.permission_type != AclPermissionType.ALLOW or binding.host != "*"
            or binding.restype not in resources or binding.resource_pattern_type not in patterns
            or binding.operation not in operations):
        return None
    return Acl(binding.principal.removeprefix("User:"), resources[binding.restype], binding.name,
               patterns[binding.resource_pattern_type], operations[binding.operation])


def _principal_filter(principal: str) -> AclBindingFilter:
    return AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, f"User:{principal}", None,
                            AclOperation.ANY, AclPermissionType.ANY)


def acls_of(admin: AdminClient, principal: str) -> list[AclBinding]:
    try:
        return list(admin.describe_acls(_principal_filter(principal), request_timeout=TIMEOUT_S).result(TIMEOUT_S))
    except KafkaException as exc:
        if exc.args and exc.args[0].code() == KafkaError.SECURITY_DISABLED:
            raise RuntimeError("the cluster has no authorizer (unsecured broker?)") from exc
        raise


def sync_acls(admin: AdminClient, wanted: Mapping[str, Iterable[Acl]]) -> tuple[list[Acl], list[str]]:
    """Make each principal's ACLs exactly ``wanted[principal]``: create the missing ones, delete the others.
    Returns (created, descriptions of deleted)."""
    created: list[Acl] = []
    to_create: list[AclBinding] = []
    to_delete: list[AclBindingFilter] = []
    for principal, rules in wanted.items():
        want = set(rules)
        have: set[Acl] = set()
        for binding in acls_of(admin, principal):
            acl = _acl(binding)
            if acl is not None and acl in want:
                have.add(acl)
            else:
                to_delete.append(AclBindingFilter(binding.restype, binding.name, binding.resource_pattern_type,
                                                  binding.principal, binding.host, binding.operation,
                                                  binding.permission_type))
        for acl in sorted(want - have):
            created.append(acl)
            to_create.append(_binding(acl))
    if to_create:
        for future in admin.create_acls(to_create, request_timeout=TIMEOUT_S).values():
            future.result(TIMEOUT_S)
    deleted = [str(f) for f in to_delete]
    if to_delete:
        for future in admin.delete_acls(to_delete, request_timeout=TIMEOUT_S).values():
            future.result(TIMEOUT_S)
    return created, deleted


def remove_principal(admin: AdminClient, principal: str) -> None:
    """Every ACL of ``principal`` and its SCRAM credentials, gone."""
    sync_acls(admin, {principal: []})
    delete_scram(admin, [principal])
