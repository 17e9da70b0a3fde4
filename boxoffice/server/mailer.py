"""Mail transport: deliver over SMTP when it is configured, else drop `.eml` files in an outbox.

`send` either delivers a message or raises `MailDeliveryError`, which says whether trying
again later may help (`retryable`); the mail queue catches it and schedules the next attempt
(`services.mail.record_failure`). Passwords never reach a log line or an error message:
the settings hold the password as a `SecretStr`.

Internationalised addresses: a domain such as `exämple.com` leaves in its IDNA form
(`xn--exmple-cua.com`) in the envelope and the headers, so every relay can route it. A mailbox
name that is not ASCII (`jöhn@…`) needs SMTPUTF8: smtplib asks for it when the relay offers it
(the headers then go as UTF-8, never as encoded-words, which are not addresses); a relay without
it refuses the message for good (`MailDeliveryError`, not retryable). The outbox writes such a
message with UTF-8 headers.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal, Self

import idna
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

logger = logging.getLogger(__name__)

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class SmtpSettings(BaseModel):
    """An SMTP relay. `ssl` is implicit TLS (usually port 465), `starttls` upgrades a plain
    connection (usually port 587); `ca_file` adds trust for a relay with its own certificate."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int = Field(default=587, gt=0, lt=65536)
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)
    ca_file: Path | None = None

    @model_validator(mode="after")
    def _one_kind_of_tls(self) -> Self:
        if self.ssl and self.starttls:
            raise ValueError("choose either ssl (implicit TLS) or starttls, not both")
        return self


class MailDeliveryError(Exception):
    """A message was not delivered. `retryable`: a later attempt may succeed (the relay is
    unreachable, busy or answered 4xx); otherwise it answered 5xx (refused for good)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Delivery:
    """How a message left: handed to the SMTP relay, or written to `path` in the outbox."""

    via: Literal["smtp", "outbox"]
    path: Path | None = None


def send(message: EmailMessage, settings: SmtpSettings | None, outbox_dir: Path) -> Delivery:
    """Deliver `message` over SMTP, or with no SMTP configured, write it to `outbox_dir`."""
    with_ascii_domains(message)
    if settings is None:
        return Delivery(via="outbox", path=write_to_outbox(message, outbox_dir))
    deliver_smtp(message, settings)
    return Delivery(via="smtp")


# --- addresses -----------------------------------------------------------------------------

ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To", "Sender")


def ascii_domain(domain: str) -> str:
    """`exämple.com` → `xn--exmple-cua.com` (IDNA 2008 with UTS 46 mapping); raises
    `MailDeliveryError` (not retryable) for a domain that has no IDNA form."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise MailDeliveryError(
            f"The mail domain {domain!r} cannot be written in IDNA: {exc}.", retryable=False
        ) from exc


def with_ascii_domains(message: EmailMessage) -> EmailMessage:
    """Rewrite the address headers of `message` (in place) with IDNA domains."""
    for name in ADDRESS_HEADERS:
        header = message.get(name)
        addresses = getattr(header, "addresses", None)
        if not addresses or all(a.domain.isascii() for a in addresses):
            continue
        del message[name]
        message[name] = tuple(
            Address(a.display_name, a.username, ascii_domain(a.domain)) for a in addresses
        )
    return message


def needs_smtputf8(message: EmailMessage) -> bool:
    """A mailbox name that is not ASCII: deliverable only with SMTPUTF8 (RFC 6531)."""
    for name in ADDRESS_HEADERS:
        for address in getattr(message.get(name), "addresses", ()):
            if not address.addr_spec.isascii():
                return True
    return False


# --- SMTP ----------------------------------------------------------------------------------


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.ca_file is not None:
        context.load_verify_locations(cafile=settings.ca_file)
    return context


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.ssl:
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=_tls_context(settings)
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.starttls:
        try:
            smtp.starttls(context=_tls_context(settings))
        except BaseException:
            smtp.close()
            raise
    return smtp


def deliver_smtp(message: EmailMessage, settings: SmtpSettings) -> None:
    """Hand `message` to the relay; raises `MailDeliveryError`."""
    where = f"{settings.host}:{settings.port}"
    try:
        with _connect(settings) as smtp:
            if settings.username:
                password = settings.password.get_secret_value() if settings.password else ""
                smtp.login(settings.username, password)
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailDeliveryError(
            f"The SMTP server {where} refused the login of {settings.username!r} "
            f"({exc.smtp_code}).",
            retryable=False,
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise MailDeliveryError(
            f"The SMTP server {where} refused the recipient {', '.join(exc.recipients)}.",
            retryable=all(400 <= code < 500 for code in codes),
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailDeliveryError(
            f"The SMTP server {where} answered {exc.smtp_code}: {_text(exc.smtp_error)}",
            retryable=400 <= exc.smtp_code < 500,
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        if needs_smtputf8(message):
            raise MailDeliveryError(
                f"The SMTP server {where} does not offer SMTPUTF8, which the address "
                f"{message.get('To', '?')} needs (its mailbox name is not ASCII); it cannot be "
                "delivered through this relay.",
                retryable=False,
            ) from exc
        raise MailDeliveryError(
            f"The SMTP server {where} does not support what the settings ask ({exc}).",
            retryable=False,
        ) from exc
    except ssl.SSLError as exc:
        raise MailDeliveryError(
            f"TLS with the SMTP server {where} failed: {exc.reason or exc}.", retryable=True
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        # Connection refused or reset, timeouts, DNS failures, a dropped connection.
        raise MailDeliveryError(
            f"The SMTP server {where} cannot be reached: {exc or type(exc).__name__}.",
            retryable=True,
        ) from exc
    if refused:
        raise MailDeliveryError(
            f"The SMTP server {where} refused the recipient {', '.join(refused)}.",
            retryable=all(400 <= code < 500 for code, _ in refused.values()),
        )
    logger.info("mail %s delivered via %s", message.get("Message-ID", "?"), where)


def _text(smtp_error: bytes | str) -> str:
    if isinstance(smtp_error, bytes):
        return smtp_error.decode("utf-8", "replace")
    return smtp_error


# --- outbox --------------------------------------------------------------------------------


def outbox_name(message: EmailMessage, now: datetime) -> str:
    """`<UTC timestamp>-<message id>.eml`: files sort by time, and one message keeps one name."""
    message_id = str(message.get("Message-ID", "")).strip("<> ") or uuid.uuid4().hex
    safe_id = _UNSAFE_NAME.sub("_", message_id)[:100]
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S}Z-{safe_id}.eml"


def _message_date(message: EmailMessage) -> datetime | None:
    date = message.get("Date")
    if date is None:
        return None
    try:
        parsed = parsedate_to_datetime(str(date))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def write_to_outbox(
    message: EmailMessage, outbox_dir: Path, *, now: datetime | None = None
) -> Path:
    """Write `message` as an `.eml` file (CRLF lines): a temporary file renamed into place,
    so a reader of the outbox never sees half a message. `now` (default: the message's
    Date, else the clock) dates the file name."""
    if now is None:
        now = _message_date(message) or datetime.now(UTC)
    outbox_dir.mkdir(parents=True, exist_ok=True)
    path = outbox_dir / outbox_name(message, now)
    content = message.as_bytes(policy=policy.SMTPUTF8 if needs_smtputf8(message) else policy.SMTP)
    fd, temporary = tempfile.mkstemp(dir=outbox_dir, prefix=".", suffix=".eml.tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    logger.info("mail %s written to the outbox as %s", message.get("Message-ID", "?"), path.name)
    return path
