"""Marketplace settings from MARKETPLACE_* environment variables; Kafka from the shared messaging settings."""

from berdaya_shared.messaging import MessagingSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARKETPLACE_", extra="ignore")

    database_url: str = "postgresql://berdaya:berdaya@127.0.0.1:5433/berdaya_marketplace"
    host: str = "127.0.0.1"
    port: int = Field(8003, ge=1, le=65535)
    messaging: MessagingSettings = Field(default_factory=MessagingSettings)
