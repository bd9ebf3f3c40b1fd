"""Settings of the messaging runtime, from environment variables (pydantic-settings)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MessagingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", description="Comma-separated host:port list")
    topic_namespace: str = Field(
        "", pattern=r"^[a-z0-9-]*$", description="Prefix of every topic name; empty in production"
    )
    relay_batch_size: int = Field(500, ge=1, le=10_000)
    relay_poll_interval_s: float = Field(1.0, gt=0, description="Fallback poll when no NOTIFY arrives")
    consumer_max_records: int = Field(1000, ge=1)
    consumer_batch_timeout_ms: int = Field(200, ge=1)
    retry_max_backoff_s: float = Field(30.0, gt=0)
    consumer_session_timeout_ms: int = Field(
        6000, ge=6000, le=300_000,
        description="How long the group coordinator waits for a silent consumer before giving its partitions away "
                    "(heartbeats every third of it). 6 s is the broker's default minimum "
                    "(group.min.session.timeout.ms); aiokafka's own default is 10 s")
    consumer_group_instance_id: str | None = Field(
        None, min_length=1, max_length=249,
        description="Static group membership (KIP-345): a restarted consumer with the same id gets its partitions "
                    "back at once instead of waiting out the session timeout. Must be unique among the running "
                    "members of the group and stable across restarts (deploy/services.sh sets "
                    "<service>@<host>:<port>); unset: dynamic membership")
