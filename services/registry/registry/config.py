"""Registry settings from REGISTRY_* environment variables; Kafka from the shared messaging settings."""

from typing import TYPE_CHECKING

from berdaya_shared.messaging import MessagingSettings
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from .adapters.crypto import PiiCipher

# Development-only keys: usable when REGISTRY_ENV is not "production", refused otherwise.
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktYmVyZGF5YS1yZWdpc3RyeS1rZXktMzI="  # base64 of 32 bytes
DEV_HMAC_KEY = "dev-only-berdaya-registry-hmac-key-never-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    env: str = Field("development", description='"production" requires real keys')
    database_url: str = "postgresql://berdaya:berdaya@127.0.0.1:5433/berdaya_registry"
    host: str = "127.0.0.1"
    port: int = 8001
    nik_encryption_key: str | None = Field(None, description="base64 of a 32-byte AES-256-GCM key")
    nik_hmac_key: str | None = Field(None, description="secret for keyed HMAC lookups (>= 32 characters)")
    # Set only while `python -m registry rotate-keys` moves the rows from these keys to the two above.
    nik_previous_encryption_key: str | None = Field(None, description="the encryption key being rotated away from")
    nik_previous_hmac_key: str | None = Field(None, description="the HMAC key being rotated away from")
    import_max_bytes: int = Field(50 * 1024 * 1024, ge=1024,
                                  description="largest bulk-import file (bytes); larger uploads get 413 unread")
    import_max_rows: int = Field(200_000, ge=1, description="most data rows in one bulk-import file (else 413)")
    import_chunk_size: int = Field(5000, ge=1, le=10_000, description="rows per transaction of a bulk import")
    import_workers: int = Field(2, ge=0, le=16, description="worker processes reading large imports (0: none)")
    import_parallel_rows: int = Field(5000, ge=1, description="an import this large is read in worker processes")
    trainee_names_audience: str = Field(
        "berdaya-training", description="a second token audience accepted (the training pages' client): trainers' "
        "browsers ask POST /women/names with their own token; empty to accept none")
    messaging: MessagingSettings = Field(default_factory=MessagingSettings)

    @model_validator(mode="after")
    def _keys(self) -> "Settings":
        if self.env == "production":
            if not self.nik_encryption_key or not self.nik_hmac_key:
                raise ValueError(
                    "REGISTRY_NIK_ENCRYPTION_KEY and REGISTRY_NIK_HMAC_KEY must be set when REGISTRY_ENV=production"
                )
        else:
            self.nik_encryption_key = self.nik_encryption_key or DEV_ENCRYPTION_KEY
            self.nik_hmac_key = self.nik_hmac_key or DEV_HMAC_KEY
        return self

    def cipher(self) -> "PiiCipher":
        """The PII cipher these keys make (with the previous keys while a rotation runs)."""
        from .adapters.crypto import PiiCipher

        assert self.nik_encryption_key and self.nik_hmac_key  # guaranteed by the validator above
        return PiiCipher(self.nik_encryption_key, self.nik_hmac_key,
                         previous_encryption_key_b64=self.nik_previous_encryption_key,
                         previous_hmac_key=self.nik_previous_hmac_key)
