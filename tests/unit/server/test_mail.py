"""The confirmation mail over a real SMTP server (aiosmtpd), the outbox, and the retry policy."""

import email
import email.policy
import ipaddress
import logging
import os
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from boxoffice.server.mailer import Delivery, MailDeliveryError, SmtpSettings, send
from boxoffice.server.services.mail import (
    MAX_ATTEMPTS,
    MailJob,
    OrderSummary,
    TicketLine,
    build_confirmation,
    next_attempt,
    record_failure,
    record_sent,
    retry_delay,
)

NOW = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)
PASSWORD = "s3cret-Pa55word"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PKPASS = b"PK\x03\x04" + os.urandom(3000)


def summary() -> OrderSummary:
    return OrderSummary(
        order_code="K7QX2M",
        event_name="Die Zauberflöte <Premiere>",
        event_start=datetime(2026, 5, 1, 17, 30, tzinfo=UTC),
        timezone_name="Europe/Vienna",
        currency="EUR",
        total=9150,
        tickets=[
            TicketLine(code="AAAAAAAAAA", name="Adult", price=4900, seat="Parterre 3-12"),
            TicketLine(code="BBBBBBBBBB", name="Reduced", price=4250, seat="Parterre 3-13"),
        ],
        venue_name="Staatsoper",
        buyer_name="Ana Müller",
    )


def confirmation() -> EmailMessage:
    return build_confirmation(
        summary(),
        [
            ("tickets-K7QX2M.pdf", "application/pdf", PDF),
            ("ticket-AAAAAAAAAA.pkpass", "application/vnd.apple.pkpass", PKPASS),
        ],
        sender="Box Office <tickets@venue.example>",
        recipient="Ana Müller <ana@example.org>",
        now=NOW,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Inbox:
    """The aiosmtpd handler: keeps every envelope; refuses recipients listed in `refuse`."""

    envelopes: list[Envelope] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def received(self) -> EmailMessage:
        (envelope,) = self.envelopes
        assert isinstance(envelope.original_content, bytes)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@dataclass
class Tls:
    cert_file: Path
    server_context: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1, as a venue's own mail relay might have."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "relay.pem", folder / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return Tls(cert_file=cert_file, server_context=context)


def authenticator(server, session, envelope, mechanism, auth_data: Any) -> AuthResult:
    assert isinstance(auth_data, LoginPassword)
    ok = auth_data.login == b"boxoffice" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


# --- the message -----------------------------------------------------------------------


def check_confirmation(received: EmailMessage) -> None:
    assert received["To"] == "Ana Müller <ana@example.org>"
    assert received["From"] == "Box Office <tickets@venue.example>"
    assert received["Subject"] == "Your tickets for Die Zauberflöte <Premiere> (order K7QX2M)"
    assert received["Message-ID"].endswith("@venue.example>")
    assert received["Date"].datetime == NOW
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    plain = text.get_content()
    for expected in (
        "Event: Die Zauberflöte <Premiere>",
        "Date: Friday 1 May 2026, 19:30",  # the event's own time zone
        "Order: K7QX2M",
        "Total: 91.50 EUR",
        "Adult, seat Parterre 3-12 (AAAAAAAAAA): 49.00 EUR",
        "Reduced, seat Parterre 3-13 (BBBBBBBBBB): 42.50 EUR",
    ):
        assert expected in plain
    markup = html.get_content()
    assert "Die Zauberflöte &lt;Premiere&gt;" in markup and "<Premiere>" not in markup
    assert "K7QX2M" in markup and "91.50 EUR" in markup and "Parterre 3-13" in markup
    attachments = {part.get_filename(): part for part in received.iter_attachments()}
    assert set(attachments) == {"tickets-K7QX2M.pdf", "ticket-AAAAAAAAAA.pkpass"}
    pdf, pkpass = attachments["tickets-K7QX2M.pdf"], attachments["ticket-AAAAAAAAAA.pkpass"]
    assert pdf.get_content_type() == "application/pdf"
    assert pkpass.get_content_type() == "application/vnd.apple.pkpass"
    assert pdf.get_content() == PDF
    assert pkpass.get_content() == PKPASS


def test_the_message_has_text_html_and_attachments():
    message = confirmation()
    assert message.get_content_type() == "multipart/mixed"
    check_confirmation(message)


def test_a_bad_attachment_type_is_refused():
    with pytest.raises(ValueError, match="MIME"):
        build_confirmation(
            summary(), [("x", "pdf", b"")], sender="a@b.example", recipient="c@d.example", now=NOW
        )


# --- the transport ---------------------------------------------------------------------


def test_delivered_over_smtp(smtp_server):
    inbox, port = smtp_server
    settings = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout=5)
    assert send(confirmation(), settings, Path("/nonexistent")) == Delivery(via="smtp")
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "tickets@venue.example"
    assert envelope.rcpt_tos == ["ana@example.org"]
    check_confirmation(inbox.received())


def test_starttls_and_login(tls, caplog):
    caplog.set_level(logging.DEBUG)
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=tls.server_context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        settings = SmtpSettings(
            host="127.0.0.1",
            port=controller.port,
            starttls=True,
            username="boxoffice",
            password=PASSWORD,
            ca_file=tls.cert_file,
            timeout=5,
        )
        assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
        send(confirmation(), settings, Path("/nonexistent"))
        check_confirmation(inbox.received())
        wrong = SmtpSettings.model_validate(
            {**settings.model_dump(), "password": "not-" + PASSWORD}
        )
        with pytest.raises(MailDeliveryError) as caught:
            send(confirmation(), wrong, Path("/nonexistent"))
        assert not caught.value.retryable
        assert "refused the login" in str(caught.value)
        assert PASSWORD not in str(caught.value)
        # Without trusting the relay's certificate, TLS fails (and a later try may work).
        untrusted = SmtpSettings.model_validate({**settings.model_dump(), "ca_file": None})
        with pytest.raises(MailDeliveryError, match="TLS") as caught:
            send(confirmation(), untrusted, Path("/nonexistent"))
        assert caught.value.retryable
    finally:
        controller.stop()
    assert PASSWORD not in caplog.text
    assert len(inbox.envelopes) == 1


def test_implicit_tls(tls):
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), ssl_context=tls.server_context
    )
    controller.start()
    try:
        settings = SmtpSettings(
            host="127.0.0.1",
            port=controller.port,
            ssl=True,
            starttls=False,
            ca_file=tls.cert_file,
            timeout=5,
        )
        send(confirmation(), settings, Path("/nonexistent"))
    finally:
        controller.stop()
    check_confirmation(inbox.received())


def test_ssl_and_starttls_exclude_each_other():
    with pytest.raises(ValueError, match="either"):
        SmtpSettings(host="mail.example", ssl=True, starttls=True)


def test_an_unreachable_server_is_a_retryable_error():
    port = free_port()  # nothing listens here any more
    settings = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout=5)
    with pytest.raises(MailDeliveryError) as caught:
        send(confirmation(), settings, Path("/nonexistent"))
    assert caught.value.retryable
    assert f"127.0.0.1:{port} cannot be reached" in str(caught.value)
    # This is how the queue uses it.
    job = MailJob(id=1, to="ana@example.org", subject="Your tickets")
    job = record_failure(job, str(caught.value), NOW)
    assert (job.status, job.attempts, job.next_attempt_at) == (
        "queued",
        1,
        NOW + timedelta(seconds=30),
    )
    assert job.last_error is not None and "cannot be reached" in job.last_error


def test_refused_recipients(smtp_server):
    inbox, port = smtp_server
    settings = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout=5)
    inbox.refuse["ana@example.org"] = "550 5.1.1 No such user"
    with pytest.raises(MailDeliveryError) as caught:
        send(confirmation(), settings, Path("/nonexistent"))
    assert not caught.value.retryable
    inbox.refuse["ana@example.org"] = "451 4.3.0 Try again later"
    with pytest.raises(MailDeliveryError) as caught:
        send(confirmation(), settings, Path("/nonexistent"))
    assert caught.value.retryable
    assert inbox.envelopes == []


def test_without_smtp_the_message_goes_to_the_outbox(tmp_path):
    outbox = tmp_path / "outbox"
    message = confirmation()
    delivery = send(message, None, outbox)
    assert delivery.via == "outbox" and delivery.path is not None
    assert delivery.path.parent == outbox
    assert re.fullmatch(r"20260420T093000Z-[A-Za-z0-9._-]+_venue\.example\.eml", delivery.path.name)
    assert [p.name for p in outbox.iterdir()] == [delivery.path.name]  # no temporary file left
    raw = delivery.path.read_bytes()
    assert b"\r\n" in raw
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    check_confirmation(parsed)
    # Writing the same message again (a retry) replaces the file rather than adding one.
    assert send(message, None, outbox).path == delivery.path
    assert len(list(outbox.iterdir())) == 1


# --- retries ---------------------------------------------------------------------------


def test_backoff_doubles_up_to_an_hour():
    seconds = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert seconds == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert next_attempt(1, NOW) == NOW + timedelta(seconds=30)
    assert next_attempt(3, NOW) == NOW + timedelta(minutes=2)
    assert next_attempt(1000, NOW) == NOW + timedelta(hours=1)
    with pytest.raises(ValueError):
        retry_delay(0)


def test_a_job_fails_for_good_after_the_last_attempt():
    job = MailJob(id=1, to="ana@example.org", subject="Your tickets")
    assert job.is_due(NOW)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        job = record_failure(job, "connection refused", now)
        assert (job.status, job.attempts) == ("queued", attempt)
        assert job.next_attempt_at is not None
        assert not job.is_due(job.next_attempt_at - timedelta(seconds=1))
        assert job.is_due(job.next_attempt_at)
        now = job.next_attempt_at
    job = record_failure(job, "x" * 2000, now)
    assert (job.status, job.attempts, job.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert job.last_error == "x" * 500
    assert not job.is_due(now + timedelta(days=1))
    sent = record_sent(record_failure(MailJob(id=2, to="a@b.example", subject="s"), "e", NOW))
    assert (sent.status, sent.attempts, sent.next_attempt_at) == ("sent", 1, None)
