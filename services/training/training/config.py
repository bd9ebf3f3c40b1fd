"""Training settings from TRAINING_* environment variables; Kafka from the shared messaging settings."""

from decimal import Decimal

from berdaya_shared.messaging import MessagingSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore")

    database_url: str = "postgresql://berdaya:berdaya@127.0.0.1:5433/berdaya_training"
    host: str = "127.0.0.1"
    port: int = Field(8002, ge=1, le=65535)
    completion_threshold: Decimal = Field(
        Decimal("0.75"), gt=0, le=1, max_digits=4, decimal_places=3,
        description="Default share of sessions attended that earns a certificate (a course may set its own)",
    )
    messaging: MessagingSettings = Field(default_factory=MessagingSettings)
