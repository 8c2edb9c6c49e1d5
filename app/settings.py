"""Typed configuration, read from BYLINE_* environment variables or a .env file."""

from pydantic import AnyHttpUrl, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BYLINE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./byline.db"
    # Reads may go to a replica; writes always use database_url.
    database_replica_url: str | None = None
    public_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = []
    database_pool_size: int = 10
    log_level: str = "info"

    @field_validator("database_url", "database_replica_url")
    @classmethod
    def supported_database(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("sqlite:", "postgresql")):
            raise ValueError("BYLINE_DATABASE_URL must be an sqlite:/// or postgresql:// URL")
        return url

    @property
    def base_url(self) -> str:
        return str(self.public_url).rstrip("/")
