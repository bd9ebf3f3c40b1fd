"""Monitoring settings from MONITORING_* environment variables; Kafka from the shared messaging settings."""

from berdaya_shared.messaging import MessagingSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MonitoringMessaging(MessagingSettings):
    """The shared messaging settings, with monitoring's consumer waiting up to 100 ms for events to gather: its cost
    is per batch (the read models' statements), so at 50 commands/s batches of ≈ 5 events instead of ≈ 2 halved its
    CPU per command (3.5–4.8 → 1.9–2.0 ms) and its busy time per minute (≈ 40 → 17 s), with the live feed's p50 and
    p99 no later (bench/README.md, freshness). CONSUMER_FETCH_MIN_BYTES / CONSUMER_FETCH_MAX_WAIT_MS override them."""

    consumer_fetch_min_bytes: int = Field(1_048_576, ge=1, le=52_428_800)
    consumer_fetch_max_wait_ms: int = Field(100, ge=0, le=10_000)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    database_url: str = "postgresql://berdaya:berdaya@127.0.0.1:5433/berdaya_monitoring"
    host: str = "127.0.0.1"
    port: int = 8004
    feed_throttle_s: float = Field(2.0, gt=0, description="The live feed checks for a new release at least this "
                                   "often, and recomputes the internal face this often while its LISTEN is down")
    feed_tick_s: float = Field(0.1, gt=0, le=5, description="The internal live feed recomputes at most once per tick "
                               "while commits arrive (one headline query, ≈ 6–20 ms at 400,000 women)")
    release_grace_days: int = Field(10, ge=0, le=90, description="A month is published this many days after it ends")
    release_start: str = Field("2025-01", pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                               description="The first month of the public grid")
    release_at: str = Field("02:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                            description="Daily time (WITA) of the scheduled release")
    release_auto: bool = Field(True, description="Make the scheduled release every day at release_at")
    messaging: MessagingSettings = Field(default_factory=MonitoringMessaging)
