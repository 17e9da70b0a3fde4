"""Server settings: where the data lives, which database, which address, how long holds last."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from boxoffice.paths import default_data_dir


class ServerSettings(BaseSettings):
    """Settings of one venue server; each can also come from a `BOXOFFICE_` environment variable."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8765
    order_hold_minutes: int = 15
    hold_token_minutes: int = 15
    access_token_seconds: int = 7200
    refresh_token_days: int = 30
    sweep_interval_seconds: float = 15.0
    load_demo: bool = True
    # Stripe: real keys come from the environment (BOXOFFICE_STRIPE_SECRET_KEY …), never from
    # a committed file. Without a secret key the server runs the emulator: training mode.
    stripe_secret_key: str | None = Field(default=None, repr=False)
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = Field(default=None, repr=False)
    mail_sender: str = "Box Office <tickets@boxoffice.invalid>"

    def resolved_database_url(self) -> str:
        """The database URL: the configured one, else a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'boxoffice.sqlite3'}"
