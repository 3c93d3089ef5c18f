"""Typed settings read from ``ACTIVES_*`` environment variables (and ``DATABASE_URL``).

One object, built once per process by :func:`get_settings`. Secrets have no default outside
development: in production a missing ``ACTIVES_SECRET_KEY`` is a :class:`ConfigurationError`.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from actives.errors import ConfigurationError


class Environment(StrEnum):
    """Where the platform runs; production turns on the strict checks."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting of the platform, with its environment variable and default."""

    model_config = SettingsConfigDict(env_prefix="ACTIVES_", extra="ignore")

    env: Environment = Field(
        default=Environment.DEVELOPMENT, description="development, test or production"
    )
    home: Path = Field(
        default=Path("var"),
        description="Data directory: SQLite database, data packs, secret key, collected static.",
    )
    raw_data: Path = Field(
        default=Path("../shared/data"),
        description="Raw public data sets that `actives data build` reads.",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Folder of trained models to use instead of the ones shipped in the package.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "ACTIVES_DATABASE_URL"),
        description="postgres://user:pass@host:5432/name; embedded SQLite under home when unset.",
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Django secret key; generated and kept under home in development."
    )
    debug: bool = False
    allowed_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost", "[::1]"])
    csrf_trusted_origins: list[str] = Field(default_factory=list)
    max_upload_mb: float = Field(
        default=25.0, gt=0, description="Largest request body (uploads included) accepted, in MiB."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web_threads: int = Field(default=8, ge=1, le=256)
    admin_username: str = "admin"
    admin_email: str = "admin@localhost"
    admin_password: SecretStr | None = None
    language_code: str = Field(default="en", pattern="^(en|ko)$")
    time_zone: str = "Asia/Seoul"

    @field_validator("home", "raw_data")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def effective_database_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under home."""
        return self.database_url or f"sqlite:///{self.home / 'actives.sqlite3'}"

    @property
    def uses_embedded_database(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.effective_database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The secret key; in development one is generated once and kept in home/secret_key."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        if self.env is Environment.PRODUCTION:
            raise ConfigurationError(
                "ACTIVES_SECRET_KEY is not set. Production needs a long random secret key, "
                "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
        key_file = self.home / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
