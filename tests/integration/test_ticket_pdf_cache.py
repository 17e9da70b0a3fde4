"""The ticket PDF cache over real HTTP: a repeat download is the very file a fresh render
gives, and whatever changes what is printed (reissue, refund, transfer, language, holder,
size, a reprint's mark) gives a new file, never the cached one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from boxoffice.server.db.models import Order, Ticket
from boxoffice.server.services import downloads
from boxoffice.server.ticketoutput.base import OutputFile
from boxoffice.server.ticketoutput.cache import FileCache
from tests.conftest import BOTH_DATABASES
from tests.helpers import factories as f
from tests.helpers.qr import qr_codes_of_pdf
from tests.integration.test_receipts import sell_cash
from tests.integration.test_reprints import pdf_text, sold_order, tickets_of
from tests.integration.test_wallet import buy, free_event, register, transfer


@pytest.fixture
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


def download(client: httpx.Client, headers: dict[str, str], order_id: int, **params: Any) -> bytes:
    answer = client.get(
        f"/event/v1/order/{order_id}/download_tickets", headers=headers, params=params
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    return answer.content


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page/")


@BOTH_DATABASES
def test_a_repeat_download_is_the_cached_file_and_equals_a_fresh_render(
    live_server, client, tmp_path
):
    staff, order = sold_order(live_server, client)
    first = download(client, staff, order["id"])
    cached = len(downloads.PDF_CACHE)
    again = download(client, staff, order["id"])
    assert again == first
    assert len(downloads.PDF_CACHE) == cached  # served from the cache, nothing new rendered
    downloads.PDF_CACHE.clear()
    fresh = download(client, staff, order["id"])
    assert fresh == first  # byte for byte: the rendering is reproducible
    # the QR codes still decode to the tickets' signed payloads
    rows = tickets_of(live_server, order["id"])
    assert qr_codes_of_pdf(fresh, tmp_path) == [[t.qr_payload] for t in rows]
    # each size is its own file
    stock = download(client, staff, order["id"], size="ticket")
    assert stock != first and pages(stock) == 2
    assert download(client, staff, order["id"]) == first


@BOTH_DATABASES
def test_a_reissue_is_in_the_next_download(live_server, client, tmp_path):
    staff, order = sold_order(live_server, client)
    before = download(client, staff, order["id"])
    old, kept = tickets_of(live_server, order["id"])
    answer = client.post(
        f"/event/v1/order/{order['id']}/reissue",
        headers=staff,
        json={"reason": "Lost", "ticket_ids": [old.id]},
    )
    assert answer.status_code == 200, answer.text
    after = download(client, staff, order["id"])
    assert after != before
    rows = {t.id: t for t in tickets_of(live_server, order["id"])}
    new = [t for t in rows.values() if t.id not in (old.id, kept.id)]
    codes = sorted(page[0] for page in qr_codes_of_pdf(after, tmp_path))
    assert codes == sorted([kept.qr_payload, new[0].qr_payload])
    assert old.qr_payload not in codes


def test_a_refunded_ticket_leaves_the_next_download(live_server, client, tmp_path):
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "cashier")
    staff = f.login(client, "cashier")
    order = sell_cash(
        client, staff, [{"ticket_config_id": ids["config_ids"][0], "quantity": 2}], 100, live_server
    )
    before = download(client, staff, order["id"])
    assert pages(before) == 2
    refunded_id, kept_id = (t.id for t in tickets_of(live_server, order["id"]))
    refunded = client.post(
        f"/event/v1/order/{order['id']}/refund",
        headers=f.at_counter(staff),
        json={"ticket_ids": [refunded_id], "reason": "Cannot come"},
    )
    assert refunded.status_code == 200, refunded.text
    after = download(client, staff, order["id"])
    assert pages(after) == 1
    kept = next(t for t in tickets_of(live_server, order["id"]) if t.id == kept_id)
    assert qr_codes_of_pdf(after, tmp_path) == [[kept.qr_payload]]


def test_reprints_are_counted_and_marked_while_downloads_are_cached(live_server, client):
    staff, order = sold_order(live_server, client)
    plain = download(client, staff, order["id"])
    url = f"/event/v1/order/{order['id']}/reprint"
    marks = []
    for _ in range(2):
        answer = client.post(url, headers=staff, json={"reason": "Printer jam"})
        assert answer.status_code == 200, answer.text
        marks.append(answer.content)
    assert [t.reprints for t in tickets_of(live_server, order["id"])] == [2, 2]
    assert marks[0] != marks[1] and plain not in marks
    # a download is not a reprint: unmarked, and the same file as before
    assert download(client, staff, order["id"]) == plain


def test_reprint_marks_are_in_the_pdf(live_server, client, tmp_path):
    staff, order = sold_order(live_server, client)
    url = f"/event/v1/order/{order['id']}/reprint"
    first = client.post(url, headers=staff, json={"reason": "Torn"})
    second = client.post(url, headers=staff, json={"reason": "Torn again"})
    assert "REPRINT 1" in pdf_text(first.content, tmp_path)
    text = pdf_text(second.content, tmp_path)
    assert "REPRINT 2" in text and "REPRINT 1" not in text


def test_a_transferred_ticket_leaves_the_senders_download(live_server, client, tmp_path):
    config = free_event(live_server)
    _, xena = register(client, "xena", "xena@example.org")
    yves_id, _ = register(client, "yves", "yves@example.org")
    order = buy(client, xena, config)
    before = download(client, xena, order["id"])
    assert pages(before) == 2
    first, second = tickets_of(live_server, order["id"])
    moved = transfer(client, xena, ids=[first.id], new_owner_id=yves_id)
    assert moved.status_code == 200, moved.text
    after = download(client, xena, order["id"])
    assert pages(after) == 1
    assert qr_codes_of_pdf(after, tmp_path) == [[second.qr_payload]]


def test_language_and_holder_changes_are_in_the_next_download(live_server, client, tmp_path):
    staff, order = sold_order(live_server, client)
    before = pdf_text(download(client, staff, order["id"]), tmp_path)
    assert "Good to know" in before
    with f.write_session(live_server.state) as session:
        session.execute(update(Order).where(Order.id == order["id"]).values(language="de"))
    german = pdf_text(download(client, staff, order["id"]), tmp_path)
    assert "Gut zu wissen" in german and "Good to know" not in german
    with f.write_session(live_server.state) as session:
        first = session.scalars(
            select(Ticket.id).where(Ticket.order_id == order["id"]).order_by(Ticket.id)
        ).first()
        session.execute(update(Ticket).where(Ticket.id == first).values(holder_name="Dvořák"))
    named = pdf_text(download(client, staff, order["id"]), tmp_path)
    assert "Dvořák" in named


def _file(size: int, name: str = "f.pdf") -> OutputFile:
    return OutputFile(filename=name, mimetype="application/pdf", data=b"x" * size)


def test_the_cache_keeps_at_most_its_bytes_least_recently_used_out():
    cache = FileCache(max_bytes=100)
    cache.put("a", _file(40))
    cache.put("b", _file(40))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", _file(40))  # over 100: b, the least recently used, goes
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    cache.put("huge", _file(101))  # larger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 2
    rendered: list[int] = []

    def render() -> OutputFile:
        rendered.append(1)
        return _file(10)

    assert cache.get_or_render("d", render).data == b"x" * 10
    assert cache.get_or_render("d", render).data == b"x" * 10
    assert rendered == [1]


def test_the_warm_up_renders_without_touching_the_cache():
    cached = len(downloads.PDF_CACHE)
    downloads.warm_up()  # what the server may run in the background after it starts
    downloads.warm_up()  # and again: every step is once per process or idempotent
    assert len(downloads.PDF_CACHE) == cached
