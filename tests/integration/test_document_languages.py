"""Documents in the buyer's language, through the real server: the order records it (from the
body, else Accept-Language, else English), and its ticket PDF, receipt and confirmation mail
are in Czech or German with money and dates as the locale writes them; the shift report on
request."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from boxoffice.server.db.models import Order
from boxoffice.server.errors import Conflict
from tests.helpers import factories as f
from tests.integration.test_mail_delivery import deliver, smtp_server

# The SMTP settings and port of the mail tests, as fixtures here too.
from tests.integration.test_mail_delivery import settings as settings
from tests.integration.test_mail_delivery import smtp_port as smtp_port
from tests.integration.test_order_rules import assert_error
from tests.integration.test_receipts import pdf_text, receipt, setup_event

CONTACT = {"first_name": "Jana", "last_name": "Dvořáková", "email": "jana@example.org"}


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def event(live_server) -> dict[str, Any]:
    return setup_event(
        live_server, [{"name": "Standard", "face_value": "29", "quantity": 10, "tax_rate": "13"}]
    )


def create(client, headers, config: int, **extra: Any) -> httpx.Response:
    body = {"order_item": [{"quantity": 2, "ticket_config_id": config}], "format": "PDF"}
    return client.post("/event/v1/order", headers=headers, json={**body, **extra})


def sell(live_server, client, staff, config: int, **extra: Any) -> dict[str, Any]:
    """A cash sale of two tickets at 29 EUR, 60 EUR tendered."""
    with contextlib.suppress(Conflict):
        f.open_shift(live_server.state)
    made = create(client, staff, config, **extra)
    assert made.status_code == 201, made.text
    order: dict[str, Any] = made.json()["data"]
    paid = client.post(
        "/payment/v1/payment",
        headers=f.at_counter(staff),
        params={"order_id": order["id"], "type": "cash"},
        json={"tendered": 60},
    )
    assert paid.status_code in (200, 201), paid.text
    return order


def test_the_order_records_the_buyers_language(live_server, client, event):
    config = event["config_ids"][0]
    guest = f.guest(client)
    plain = create(client, guest, config)
    assert plain.status_code == 201 and plain.json()["data"]["language"] == "en"
    asked = create(client, guest, config, language="cs")
    assert asked.json()["data"]["language"] == "cs"
    negotiated = create(client, {**guest, "Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}, config)
    assert negotiated.json()["data"]["language"] == "de"
    # the body wins over the header; an unsupported header is English
    both = create(client, {**guest, "Accept-Language": "de"}, config, language="cs")
    assert both.json()["data"]["language"] == "cs"
    other = create(client, {**guest, "Accept-Language": "fr-FR, it;q=0.8"}, config)
    assert other.json()["data"]["language"] == "en"
    assert_error(create(client, guest, config, language="fr"), 422, "validation_error", "language")
    with live_server.state.read_sessions() as session:
        stored = session.scalar(
            select(Order.language).where(Order.id == asked.json()["data"]["id"])
        )
    assert stored == "cs"
    fetched = client.get(f"/event/v1/order/{negotiated.json()['data']['id']}", headers=guest)
    assert fetched.json()["data"]["language"] == "de"


@pytest.mark.parametrize(
    ("language", "ticket_words", "receipt_words"),
    [
        (
            "cs",
            ["VSTUPENKA", "CENA", "OBJEDNÁVKA", "Dobré vědět", "Vstupenka 1 z 2", "Bez místenky"],
            [
                "ÚČTENKA",
                "CELKEM 58,00 €",
                "Hotovost 58,00 €",
                "Přijato 60,00 €",
                "Vráceno 2,00 €",
                "vč. DPH 13 % z 58,00 € 6,67 €",
                "Pokladní cashier",
            ],
        ),
        (
            "de",
            ["TICKET", "PREIS", "BESTELLUNG", "Gut zu wissen", "Ticket 1 von 2", "Freie Platzwahl"],
            [
                "QUITTUNG",
                "GESAMT 58,00 €",
                "Bar 58,00 €",
                "Gegeben 60,00 €",
                "Rückgeld 2,00 €",
                "inkl. MwSt. 13 % auf 58,00 € 6,67 €",
                "Kassierer cashier",
            ],
        ),
    ],
)
def test_ticket_and_receipt_in_the_orders_language(
    live_server, client, event, tmp_path, language, ticket_words, receipt_words
):
    staff = f.login(client, "cashier")
    order = sell(live_server, client, staff, event["config_ids"][0], language=language)
    tickets = client.get(f"/event/v1/order/{order['id']}/download_tickets", headers=staff)
    assert tickets.status_code == 200, tickets.text
    text = pdf_text(tickets.content, tmp_path)
    for word in [*ticket_words, "29,00 €"]:
        assert word in text, (word, text)
    assert "Good to know" not in text and "€29.00" not in text
    paper = receipt(client, staff, order["id"])
    assert paper.status_code == 200, paper.text
    text = pdf_text(paper.content, tmp_path)
    for word in [*receipt_words, f"{order['code']}"]:
        assert word in text, (word, text)
    assert "TOTAL" not in text and "€58.00" not in text


def test_the_confirmation_mail_in_czech(live_server, client, event, smtp_port, tmp_path):
    staff = f.login(client, "cashier")
    with smtp_server(smtp_port) as inbox:
        order = sell(
            live_server,
            client,
            staff,
            event["config_ids"][0],
            language="cs",
            order_contact=CONTACT,
        )
        assert deliver(live_server) == 1
    [message] = inbox.messages()
    assert message["Subject"] == f"Vaše vstupenky na Concert (objednávka {order['code']})"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = " ".join(body.get_content().split())
    for expected in (
        "Dobrý den, Jana Dvořáková,",
        "děkujeme za vaši objednávku. Vstupenky najdete v příloze.",
        "Akce: Concert",
        f"Objednávka: {order['code']}",
        "Celkem: 58,00 €",
        "2 vstupenky:",
        "U vstupu ukažte QR kód",
    ):
        assert expected in text, (expected, text)
    start = live_server.state.clock()  # the event is a week from now, 19:xx in Vienna
    assert "Datum: " in text and f"{start.year} " in text
    html = message.get_body(preferencelist=("html",))
    assert html is not None and 'lang="cs"' in html.get_content()
    [pdf] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert "Dobré vědět" in pdf_text(pdf.get_content(), tmp_path)


def test_the_shift_report_on_request_in_german(live_server, client, event, tmp_path):
    staff = f.login(client, "cashier")
    shift_id = f.open_shift(live_server.state)
    sell(live_server, client, staff, event["config_ids"][0])
    pdf = client.get(
        f"/payment/v1/shift/{shift_id}/report",
        params={"format": "pdf", "language": "de"},
        headers=staff,
    )
    assert pdf.status_code == 200, pdf.text
    text = pdf_text(pdf.content, tmp_path)
    for expected in ("X-BERICHT", "Kassenlade", "Barverkäufe 58,00 €", "Anfangsbestand 100,00 €"):
        assert expected in text, (expected, text)
    english = client.get(
        f"/payment/v1/shift/{shift_id}/report", params={"format": "pdf"}, headers=staff
    )
    assert "X REPORT" in pdf_text(english.content, tmp_path)
