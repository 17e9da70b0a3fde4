"""The sale journal: steps appended durably, each sale's latest state, unfinished sales, a
last line cut short by a crash, and which server each sale belongs to."""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal

import pytest

from boxoffice.desktop.journal import SaleJournal, ServerIdentity, Step


@pytest.fixture
def journal(tmp_path) -> SaleJournal:
    return SaleJournal(tmp_path / "data" / "journal.jsonl")


def test_no_file_means_no_sales(journal):
    assert journal.sales() == {}
    assert journal.unfinished() == []
    assert not journal.path.exists()


def test_each_sale_keeps_its_latest_step_and_everything_recorded(journal):
    journal.record("s1", Step.STARTED, idempotency_key="k1", items=[{"quantity": 2}])
    journal.record("s2", Step.STARTED)
    journal.record("s1", Step.ORDER_CREATED, order_id=7, code="ABCD", total=Decimal("58.00"))
    journal.record("s2", Step.CANCELED)
    sales = journal.sales()
    assert list(sales) == ["s1", "s2"]
    first = sales["s1"]
    assert first.step == "order_created" and not first.finished
    assert first.order_id == 7
    assert first.data == {
        "idempotency_key": "k1",
        "items": [{"quantity": 2}],
        "order_id": 7,
        "code": "ABCD",
        "total": "58.00",
    }
    assert sales["s2"].finished and sales["s2"].order_id is None


def test_unfinished_lists_the_sales_not_done_or_canceled_oldest_first(journal):
    for sale_id, steps in {
        "a": ["started", "order_created", "paid"],
        "b": ["started", "order_created", "paid", "done"],
        "c": ["started"],
        "d": ["started", "canceled"],
    }.items():
        for step in steps:
            journal.record(sale_id, Step(step))
    assert [(r.sale_id, r.step) for r in journal.unfinished()] == [("a", "paid"), ("c", "started")]


def test_a_sale_finished_later_is_no_longer_unfinished(journal):
    journal.record("a", Step.ORDER_CREATED, order_id="12")
    journal.record("b", Step.STARTED)
    journal.record("a", Step.DONE, recovered=True)
    assert [r.sale_id for r in journal.unfinished()] == ["b"]
    assert journal.sales()["a"].order_id == 12  # kept from the earlier step


def test_a_line_cut_short_by_a_crash_is_ignored(journal):
    journal.record("a", Step.STARTED)
    journal.record("a", Step.ORDER_CREATED, order_id=3)
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('{"sale_id":"a","step":"pa')  # the power went off here
    [record] = journal.unfinished()
    assert record.step == "order_created" and record.order_id == 3


def test_a_step_recorded_after_a_cut_short_line_still_counts(journal):
    journal.record("a", Step.ORDER_CREATED, order_id=3)
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('{"sale_id":"a","step":"pa')
    journal.record("a", Step.DONE, recovered=True)
    journal.record("b", Step.STARTED)
    assert [(r.sale_id, r.step) for r in journal.unfinished()] == [("b", "started")]
    assert journal.sales()["a"].step == "done"


def test_lines_that_are_not_journal_entries_are_skipped(journal):
    journal.path.parent.mkdir(parents=True)
    journal.path.write_text('[1, 2]\n{"step": "paid"}\n\n"text"\n', encoding="utf-8")
    journal.record("a", Step.STARTED)
    assert list(journal.sales()) == ["a"]


def test_every_step_is_on_disk_before_record_returns(journal, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(journal.path.read_text(encoding="utf-8"))  # flushed before the fsync

    monkeypatch.setattr(os, "fsync", fsync)
    journal.record("s1", Step.STARTED, items=[{"quantity": 1, "ticket_config_id": 4}])
    journal.record("s1", Step.ORDER_CREATED, order_id=9, code="XKCD")
    text = journal.path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert synced == [lines[0] + "\n", text]
    assert text.endswith("\n") and len(lines) == 2
    assert ", " not in lines[0] and ": " not in lines[0]  # compact JSON
    first, second = (json.loads(line) for line in lines)
    assert first["sale_id"] == "s1" and first["step"] == "started"
    assert first["items"] == [{"quantity": 1, "ticket_config_id": 4}]
    assert datetime.fromisoformat(first["at"]).utcoffset() is not None
    assert second == {
        "sale_id": "s1",
        "step": "order_created",
        "at": second["at"],
        "order_id": 9,
        "code": "XKCD",
    }


def test_a_step_must_be_a_step_not_a_bare_string(journal):
    with pytest.raises(TypeError):
        journal.record("a", "started")
    with pytest.raises(TypeError):
        journal.record("a", "finished")  # a step that is none
    assert not journal.path.exists()  # nothing was written
    journal.record("a", Step.STARTED)
    assert journal.sales()["a"].step is Step.STARTED


def test_a_journal_written_with_the_old_bare_strings_still_reads(journal):
    journal.path.parent.mkdir(parents=True)
    journal.path.write_text(
        '{"sale_id":"a","step":"started","at":"2024-05-01T10:00:00+00:00","items":[]}\n'
        '{"sale_id":"a","step":"order_created","at":"2024-05-01T10:00:01+00:00","order_id":4}\n'
        '{"sale_id":"a","step":"paid","at":"2024-05-01T10:00:02+00:00","order_id":4}\n'
        '{"sale_id":"b","step":"started","at":"2024-05-01T10:01:00+00:00"}\n'
        '{"sale_id":"b","step":"canceled","at":"2024-05-01T10:01:01+00:00","reason":"refused"}\n'
        '{"sale_id":"c","step":"started","at":"2024-05-01T10:02:00+00:00"}\n'
        '{"sale_id":"c","step":"done","at":"2024-05-01T10:02:05+00:00","printed_pages":2}\n',
        encoding="utf-8",
    )
    sales = journal.sales()
    assert {sale_id: record.step for sale_id, record in sales.items()} == {
        "a": Step.PAID,
        "b": Step.CANCELED,
        "c": Step.DONE,
    }
    assert all(isinstance(record.step, Step) for record in sales.values())
    assert [(r.sale_id, r.step, r.order_id) for r in journal.unfinished()] == [("a", Step.PAID, 4)]
    journal.record("a", Step.DONE, recovered=True)  # the new steps go on the old file
    assert journal.unfinished() == []


def test_the_step_values_are_the_strings_in_the_file():
    assert {step.value for step in Step} == {
        "started",
        "order_created",
        "part_paid",
        "paid",
        "done",
        "canceled",
    }


def test_sale_ids_are_unique():
    assert len({SaleJournal.new_sale_id() for _ in range(100)}) == 100


def test_each_line_says_which_server_its_sale_is_on(tmp_path):
    journal = SaleJournal(tmp_path / "journal.jsonl", server=ServerIdentity("http://lan:8765/"))
    journal.record("a", Step.STARTED)
    journal.server = ServerIdentity("http://lan:8765", "id-lan")
    journal.record("a", Step.ORDER_CREATED, order_id=4)
    lines = [json.loads(line) for line in journal.path.read_text().splitlines()]
    assert [line.get("server_id") for line in lines] == [None, "id-lan"]
    assert {line["server_url"] for line in lines} == {"http://lan:8765"}
    assert journal.sales()["a"].data["server_id"] == "id-lan"


def test_a_sale_belongs_to_the_server_of_its_instance_id_else_of_its_url(tmp_path):
    journal = SaleJournal(tmp_path / "journal.jsonl")
    journal.record("old", Step.STARTED)  # before servers were told apart: no server owns it
    journal.server = ServerIdentity("http://127.0.0.1:40001", "embedded")
    journal.record("embedded", Step.STARTED)
    journal.server = ServerIdentity("http://lan:8765")  # its id not known yet
    journal.record("lan", Step.STARTED)
    sales = journal.sales()

    def owned(server: ServerIdentity) -> set[str]:
        return {sale_id for sale_id, record in sales.items() if server.owns(record)}

    assert owned(ServerIdentity("http://127.0.0.1:40002", "embedded")) == {"embedded"}  # new port
    assert owned(ServerIdentity("http://127.0.0.1:40001", "another")) == set()
    assert owned(ServerIdentity("http://lan:8765/", "lan-id")) == {"lan"}
    assert owned(ServerIdentity("http://lan:8765")) == {"lan"}
