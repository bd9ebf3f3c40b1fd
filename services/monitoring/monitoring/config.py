"""Monitoring settings from MONITORING_* environment variables; Kafka from the shared messaging settings."""

from berdaya_shared.messaging import MessagingSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    database_url: str = "postgresql://berdaya:berdaya@127.0.0.1:5433/berdaya_monitoring"
    host: str = "127.0.0.1"
    port: int = 8004
    feed_throttle_s: float = Field(2.0, gt=0, description="At most one IndicatorChanged per cell per this many seconds")
    messaging: MessagingSettings = Field(default_factory=MessagingSettings)
