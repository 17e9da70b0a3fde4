"""The confirmation mail leaves: a real SMTP server (aiosmtpd) receives it from a live venue
server; retries when the relay is down, failure when it refuses, the outbox folder without
SMTP, the staff listing and retry API, and `boxoffice mail list|send` as real processes."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings
from boxoffice.server.db.locking import WriteGate
from boxoffice.server.db.models import MailJob, Ticket
from boxoffice.server.services import mail_queue
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.helpers.live_server import FakeClock, LiveServer, serve_in_thread
from tests.helpers.processes import free_port
from tests.helpers.qr import qr_codes_of_pdf
from tests.integration.test_order_rules import assert_error
from tests.integration.test_payments import make_order, pay

CONTACT = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None, smtp_port: int) -> ServerSettings:
    """As conftest's, with SMTP on a loopback port (no server there until a test starts one)
    and the background deliverer idle: the tests deliver by hand, round by round."""
    return ServerSettings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        load_demo=False,
        sweep_interval_seconds=3600,
        mail_interval_seconds=3600,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_starttls=False,
    )


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses the addresses in `refuse`."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [parse(envelope.content) for envelope in self.envelopes]


@contextmanager
def smtp_server(port: int, **options: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@contextmanager
def running(settings: ServerSettings, clock: FakeClock) -> Iterator[LiveServer]:
    app = create_app(settings, clock=clock)
    with serve_in_thread(app) as base_url:
        yield LiveServer(app=app, base_url=base_url, clock=clock)
    app.state.server.engine.dispose()


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def deliver(live: LiveServer) -> int:
    """One delivery round, as the server's loop runs it (from this thread's own event loop,
    hence its own write gate; SQLite's lock still orders it with the server's writers)."""
    queue = mail_queue.MailQueue.of(live.state, gate=WriteGate(live.state.engine))
    return anyio.run(mail_queue.deliver_due, queue, live.clock())


def paid_order(live: LiveServer, client: httpx.Client) -> dict[str, Any]:
    """A free order of two tickets with a contact, paid (so its confirmation is queued)."""
    ids = f.make_event(
        live.state, configs=[{"name": "Free entry", "face_value": "0", "quantity": 10}]
    )
    headers = f.guest(client)
    order = make_order(client, headers, ids["config_ids"][0], order_contact=CONTACT)
    paid = pay(client, headers, order["id"])
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["order"]["status"] == "paid"
    return order


def jobs(live: LiveServer) -> list[MailJob]:
    with live.state.read_sessions() as session:
        rows = list(session.scalars(select(MailJob).order_by(MailJob.id)))
        session.expunge_all()
        return rows


@pytest.fixture
def staff(live_server, client) -> dict[str, str]:
    return f.login(client, f.make_user(live_server.state, "postmaster"))


def order_status(client: httpx.Client, headers: dict[str, str], order_id: int) -> str:
    response = client.get(f"/event/v1/order/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    status: str = response.json()["data"]["status"]
    return status


@BOTH_DATABASES
def test_the_paid_order_confirmation_reaches_the_smtp_server(
    live_server, client, smtp_port, tmp_path
):
    with smtp_server(smtp_port) as inbox:
        order = paid_order(live_server, client)
        assert deliver(live_server) == 1
        assert deliver(live_server) == 0  # sent once only
    assert len(inbox.envelopes) == 1
    assert inbox.envelopes[0].rcpt_tos == [CONTACT["email"]]
    [message] = inbox.messages()
    assert message["To"] == CONTACT["email"]
    assert order["code"] in str(message["Subject"])
    [pdf] = [
        part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    content = pdf.get_content()
    assert content.startswith(b"%PDF")
    pages = qr_codes_of_pdf(content, tmp_path)
    with live_server.state.read_sessions() as session:
        issued = list(
            session.scalars(select(Ticket.qr_payload).where(Ticket.order_id == order["id"]))
        )
    assert len(issued) == 2
    assert sorted(code for page in pages for code in page) == sorted(issued)
    [job] = jobs(live_server)
    assert (job.status, job.attempts, job.next_attempt_at) == ("sent", 0, None)
    assert job.sent_at == live_server.clock()
    assert job.order_id == order["id"] and job.recipient == CONTACT["email"]


def test_an_unreachable_relay_means_a_later_attempt_and_the_order_stays_paid(
    live_server, client, smtp_port, staff
):
    order = paid_order(live_server, client)
    assert deliver(live_server) == 0  # nothing listens on the port yet
    [job] = jobs(live_server)
    assert job.status == "queued" and job.attempts == 1
    assert job.next_attempt_at == live_server.clock() + timedelta(seconds=30)
    assert job.last_error and "cannot be reached" in job.last_error
    assert order_status(client, staff, order["id"]) == "paid"

    # Staff see it in the queue; guests and strangers do not.
    listed = client.get("/account/v1/mail", headers=staff, params={"status": "queued"})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["paging"] == {"limit": 20, "offset": 0, "total": 1}
    [item] = page["data"]
    assert item["id"] == job.id and item["order_id"] == order["id"]
    assert item["recipient"] == CONTACT["email"] and order["code"] in item["subject"]
    assert (item["status"], item["attempts"]) == ("queued", 1)
    assert item["next_attempt_at"] and item["last_error"] and item["sent_at"] is None
    assert item["created_at"]
    assert set(item) == {
        "id",
        "order_id",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    }
    assert (
        client.get("/account/v1/mail", headers=staff, params={"status": "sent"}).json()["paging"][
            "total"
        ]
        == 0
    )
    assert_error(client.get("/account/v1/mail", headers=f.guest(client)), 403, "permission_denied")
    assert_error(client.get("/account/v1/mail"), 401, "not_authenticated")
    assert_error(
        client.get("/account/v1/mail", headers=staff, params={"status": "lost"}),
        422,
        "validation_error",
    )

    with smtp_server(smtp_port) as inbox:
        assert deliver(live_server) == 0  # not due yet
        live_server.clock.advance(seconds=31)
        assert deliver(live_server) == 1
    assert [m["To"] for m in inbox.messages()] == [CONTACT["email"]]
    [job] = jobs(live_server)
    assert (job.status, job.attempts, job.sent_at) == ("sent", 1, live_server.clock())
    sent = client.get("/account/v1/mail", headers=staff, params={"status": "sent"})
    assert [m["id"] for m in sent.json()["data"]] == [job.id]
    assert order_status(client, staff, order["id"]) == "paid"


def test_a_refused_recipient_fails_at_once_and_staff_can_retry(
    live_server, client, smtp_port, staff
):
    with smtp_server(smtp_port) as inbox:
        inbox.refuse.add(CONTACT["email"])
        order = paid_order(live_server, client)
        assert deliver(live_server) == 0
        [job] = jobs(live_server)
        assert (job.status, job.attempts, job.next_attempt_at) == ("failed", 1, None)
        assert job.last_error and "refused the recipient" in job.last_error
        assert order_status(client, staff, order["id"]) == "paid"
        failed = client.get("/account/v1/mail", headers=staff, params={"status": "failed"})
        assert [m["id"] for m in failed.json()["data"]] == [job.id]
        assert deliver(live_server) == 0  # failed jobs wait for staff

        assert_error(
            client.post(f"/account/v1/mail/{job.id}/retry", headers=f.guest(client)),
            403,
            "permission_denied",
        )
        assert_error(
            client.post("/account/v1/mail/999999/retry", headers=staff), 404, "mail_not_found"
        )
        inbox.refuse.clear()  # the mailbox exists now
        retried = client.post(f"/account/v1/mail/{job.id}/retry", headers=staff)
        assert retried.status_code == 200, retried.text
        body = retried.json()["data"]
        assert (body["status"], body["attempts"]) == ("queued", 0)
        assert deliver(live_server) == 1
    assert len(inbox.envelopes) == 1
    assert_error(
        client.post(f"/account/v1/mail/{job.id}/retry", headers=staff), 400, "mail_not_failed"
    )
    assert jobs(live_server)[0].status == "sent"


def test_an_unreachable_relay_stops_the_round_at_the_first_mail(live_server, client, smtp_port):
    paid_order(live_server, client)
    paid_order(live_server, client)
    assert deliver(live_server) == 0
    assert [j.attempts for j in jobs(live_server)] == [1, 0]  # the second waits its turn
    assert deliver(live_server) == 0
    assert [j.attempts for j in jobs(live_server)] == [1, 1]
    with smtp_server(smtp_port) as inbox:
        live_server.clock.advance(seconds=31)
        assert deliver(live_server) == 2
    assert len(inbox.envelopes) == 2


def test_a_refused_login_fails_for_good_and_never_shows_the_password(
    live_server, client, smtp_port, settings
):
    password = "s3cret-relay-pw"

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)

    with_login = settings.model_copy(
        update={"smtp_username": "boxoffice", "smtp_password": password}
    )
    assert password not in repr(with_login) and password not in repr(with_login.smtp_settings())
    queue = replace(
        mail_queue.MailQueue.of(live_server.state, gate=WriteGate(live_server.state.engine)),
        smtp=with_login.smtp_settings(),
    )
    with smtp_server(smtp_port, auth_require_tls=False, authenticator=authenticator) as inbox:
        paid_order(live_server, client)
        assert anyio.run(mail_queue.deliver_due, queue, live_server.clock()) == 0
    assert inbox.envelopes == []
    [job] = jobs(live_server)
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.last_error and "refused the login of 'boxoffice'" in job.last_error
    assert password not in job.last_error


def test_implicit_tls_turns_starttls_off(settings):
    smtp = settings.model_copy(update={"smtp_ssl": True, "smtp_port": 465}).smtp_settings()
    assert smtp is not None and (smtp.ssl, smtp.starttls, smtp.port) == (True, False, 465)
    assert settings.model_copy(update={"smtp_host": ""}).smtp_settings() is None


def _wait_for(check: Any, seconds: float = 15) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_without_smtp_the_server_soon_writes_the_mail_to_the_outbox(settings, clock):
    outbox_settings = settings.model_copy(update={"smtp_host": None, "mail_interval_seconds": 0.2})
    assert outbox_settings.smtp_settings() is None
    with running(outbox_settings, clock) as live, httpx.Client(base_url=live.base_url) as client:
        order = paid_order(live, client)
        # No hand here: the server's own loop delivers it within a round or two.
        [eml] = _wait_for(lambda: list(outbox_settings.outbox_dir.glob("*.eml")))
        sent = _wait_for(lambda: [j for j in jobs(live) if j.status == "sent"])
    assert eml.parent == settings.data_dir / "outbox"
    message = parse(eml.read_bytes())
    assert message["To"] == CONTACT["email"] and order["code"] in str(message["Subject"])
    assert [j.order_id for j in sent] == [order["id"]]


def boxoffice(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    return subprocess.run(
        [sys.executable, "-m", "boxoffice", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_mail_list_and_send_commands(settings, clock):
    outbox_settings = settings.model_copy(update={"smtp_host": None})
    data = str(settings.data_dir)
    with running(outbox_settings, clock) as live, httpx.Client(base_url=live.base_url) as client:
        order = paid_order(live, client)
        listed = boxoffice("mail", "list", "--data-dir", data)
        assert listed.returncode == 0, listed.stderr
        header, row, footer = listed.stdout.splitlines()
        assert header.split()[:3] == ["ID", "STATUS", "TRIES"]
        assert row.split()[:3] == [str(jobs(live)[0].id), "queued", "0"]
        assert CONTACT["email"] in row and order["code"] in row
        assert footer == "1 of 1 mails"
        # The server's loop is idle (an hour between rounds): cron's `mail send` delivers.
        sent = boxoffice("mail", "send", "--data-dir", data)
        assert sent.returncode == 0, sent.stderr
        assert (
            sent.stdout.startswith("sent 1 via the outbox") and "0 queued, 0 failed" in sent.stdout
        )
        assert len(list(outbox_settings.outbox_dir.glob("*.eml"))) == 1
        assert boxoffice("mail", "send", "--data-dir", data).stdout.startswith("sent 0")
        only_sent = boxoffice("mail", "list", "--status", "sent", "--data-dir", data)
        assert " sent " in only_sent.stdout.splitlines()[1]
        none_failed = boxoffice("mail", "list", "--status", "failed", "--data-dir", data)
        assert none_failed.stdout.splitlines()[-1] == "0 of 0 mails"
