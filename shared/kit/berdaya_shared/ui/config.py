"""Settings of the staff pages shared by the four services (environment ``BERDAYA_*``)."""

import json
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SERVICE_URLS = {
    "registry": "http://127.0.0.1:8001",
    "training": "http://127.0.0.1:8002",
    "marketplace": "http://127.0.0.1:8003",
    "monitoring": "http://127.0.0.1:8004",
}


class UiSettings(BaseSettings):
    """Where the four services are, how long a web session lasts, and whether the pages are served over TLS."""

    model_config = SettingsConfigDict(env_prefix="BERDAYA_", extra="ignore", env_ignore_empty=True)

    service_urls: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SERVICE_URLS),
        description='JSON {"registry": "https://…", …}: the navigation bar links and the origins pages may call')
    public_url: str | None = Field(None, description="this service's own address as users reach it (behind a proxy)")
    secure_cookies: bool = Field(False, description="true behind TLS: cookies get Secure and the __Host- prefix")
    session_idle_s: int = Field(1800, ge=60, le=86_400, description="a web session ends after this long unused")
    session_max_s: int = Field(36_000, ge=300, le=7 * 86_400, description="and after this long in any case")
    offline_days: int = Field(7, ge=1, le=30, description="how long a sheet (and its names) may wait on a phone")

    @field_validator("service_urls", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def origins(self) -> list[str]:
        """The scheme://host:port of each service, for the CSP's connect-src."""
        out = []
        for url in self.service_urls.values():
            parts = urlsplit(url)
            if parts.scheme and parts.netloc:
                out.append(f"{parts.scheme}://{parts.netloc}")
        return sorted(set(out))
