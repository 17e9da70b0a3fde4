"""Server settings: where the data lives, which database, which address, how long holds last."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from boxoffice.paths import default_data_dir
from boxoffice.server.mailer import SmtpSettings


class ServerSettings(BaseSettings):
    """Settings of one venue server; each can also come from a `BOXOFFICE_` environment variable."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8765
    # Worker processes serving the one listening socket (`server/workers.py`), so that every
    # core works for the server; the write gate, the sweeper and the mail deliverer are
    # shared between them (`db/locking.py`).
    workers: int = Field(default=1, ge=1, le=64)
    order_hold_minutes: int = 15
    hold_token_minutes: int = 15
    access_token_seconds: int = 7200
    refresh_token_days: int = 30
    sweep_interval_seconds: float = 15.0
    load_demo: bool = True
    # Tickethead's clients send tenant calls (events, orders, payments) to `{tenant}.{host}`
    # once `GET account/v1/organizer/{name}` names an `organization_name`. With a tenant
    # domain the organizer names itself, and `{organizer}.{tenant_domain}` is served like the
    # base host (api/tenants.py); without one it does not, and clients keep the base URL.
    tenant_domain: str | None = None
    # Stripe: real keys come from the environment (BOXOFFICE_STRIPE_SECRET_KEY …), never from
    # a committed file. Without a secret key the server runs the emulator: training mode.
    stripe_secret_key: str | None = Field(default=None, repr=False)
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = Field(default=None, repr=False)
    # Card readers (Stripe Terminal): how long a reader waits for the customer's card before
    # the server stops it, and the country of the Location readers are registered to.
    reader_timeout_seconds: int = Field(default=120, ge=5)
    terminal_country: str = Field(default="CZ", min_length=2, max_length=2)
    mail_sender: str = "Box Office <tickets@boxoffice.invalid>"
    # Confirmation mail: over SMTP when smtp_host is set, else written as .eml files to
    # `outbox_dir` (data_dir/outbox). The password comes from the environment
    # (BOXOFFICE_SMTP_PASSWORD) and never shows in a repr or a log line.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ssl: bool = False  # implicit TLS (usually port 465); STARTTLS is then not used
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    mail_interval_seconds: float = 5.0  # how often the queued mail is delivered
    # The embedded app's own sign-in: when set (BOXOFFICE_COUNTER_PASSWORD, only ever through
    # the environment, a fresh random secret per launch), start-up makes sure a staff user
    # `counter` exists with exactly this password.
    counter_password: SecretStr | None = Field(default=None, repr=False)
    # Failed sign-ins (services/signin_guard.py), counted over the last `signin_window_seconds`
    # per account and per client address. From `…slowdown_after` failures on, each failure
    # closes sign-in for `signin_slowdown_seconds`; from `…lock_after` on, for
    # `signin_lock_seconds` (`429 signin_locked` with Retry-After). A success resets the
    # account. Kept in this process's memory: a restart forgets them.
    signin_window_seconds: int = Field(default=900, ge=1)
    signin_slowdown_after: int = Field(default=3, ge=1)
    signin_slowdown_seconds: int = Field(default=5, ge=1)
    signin_lock_after: int = Field(default=10, ge=1)
    signin_lock_seconds: int = Field(default=900, ge=1)
    signin_address_slowdown_after: int = Field(default=10, ge=1)
    signin_address_lock_after: int = Field(default=30, ge=1)
    # Password checks (Argon2id, ~0.1 s of one CPU each) running at once, in worker threads of
    # their own; more wait on the event loop, holding no thread, connection or write lock.
    signin_hash_concurrency: int = Field(default=1, ge=1)

    def resolved_database_url(self) -> str:
        """The database URL: the configured one, else a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'boxoffice.sqlite3'}"

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes as `.eml` files when no SMTP server is configured."""
        return self.data_dir / "outbox"

    def smtp_settings(self) -> SmtpSettings | None:
        """The SMTP relay, or None (no `smtp_host`): mail then goes to `outbox_dir`."""
        if not self.smtp_host:
            return None
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            starttls=self.smtp_starttls and not self.smtp_ssl,
            ssl=self.smtp_ssl,
            username=self.smtp_username or None,
            password=SecretStr(self.smtp_password) if self.smtp_password is not None else None,
        )
