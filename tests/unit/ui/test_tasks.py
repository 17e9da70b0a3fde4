"""Named preemptive tasks: the later task of a name wins, errors are routed, busy is reported."""

from __future__ import annotations

import asyncio
import sys

import pytest

from boxoffice.sdk import NotFoundError
from boxoffice.ui.tasks import TaskRunner


class Recorder:
    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.busy: list[bool] = []
        self.runner = TaskRunner(on_error=self.errors.append, on_busy=self.busy.append)


@pytest.fixture
def crashes(monkeypatch) -> list[tuple[object, ...]]:
    seen: list[tuple[object, ...]] = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: seen.append(info))
    return seen


async def test_a_new_task_cancels_the_earlier_one_of_the_same_name(crashes):
    rec = Recorder()
    started, finished = [], []

    async def search(text: str, delay: float) -> str:
        started.append(text)
        await asyncio.sleep(delay)
        finished.append(text)
        return text

    first = rec.runner.run("search", search("po", 10))
    await asyncio.sleep(0)  # let it start
    other = rec.runner.run("detail", search("other", 0.01))
    second = rec.runner.run("search", search("pop", 0.01))
    await rec.runner.wait("search")
    await rec.runner.wait("detail")
    assert first.cancelled()
    assert second.result() == "pop" and other.result() == "other"
    assert started == ["po", "other", "pop"]
    assert sorted(finished) == ["other", "pop"]
    assert rec.errors == [] and crashes == []


async def test_busy_is_true_while_any_task_runs_then_false(crashes):
    rec = Recorder()
    first = rec.runner.run("load", asyncio.sleep(10))
    assert rec.busy == [True] and rec.runner.is_running() and rec.runner.is_running("load")
    rec.runner.run("load", asyncio.sleep(0.01))
    await rec.runner.wait("load")
    await asyncio.sleep(0)  # done callbacks run on the next loop turn
    assert first.cancelled()
    assert rec.busy[0] is True and rec.busy[-1] is False
    assert False not in rec.busy[:-1]  # the preempted task's end did not say "idle"
    assert not rec.runner.is_running() and not rec.runner.is_running("load")


async def test_a_box_office_error_goes_to_on_error(crashes):
    rec = Recorder()
    error = NotFoundError("no such order", status=404, code="not_found")

    async def fail() -> None:
        raise error

    task = rec.runner.run("find", fail())
    await rec.runner.wait("find")
    assert task.result() is None
    assert rec.errors == [error]
    assert crashes == []


async def test_any_other_exception_goes_to_the_crash_hook(crashes):
    rec = Recorder()

    async def bug() -> None:
        raise KeyError("oops")

    task = rec.runner.run("bug", bug())
    await rec.runner.wait("bug")
    assert task.result() is None
    assert rec.errors == []
    [(kind, value, traceback)] = crashes
    assert kind is KeyError and isinstance(value, KeyError) and traceback is not None


async def test_cancel_everything_reports_nothing(crashes):
    rec = Recorder()
    tasks = [rec.runner.run(name, asyncio.sleep(10)) for name in ("a", "b")]
    rec.runner.cancel()
    await asyncio.wait(tasks)
    await asyncio.sleep(0)
    assert all(task.cancelled() for task in tasks)
    assert rec.errors == [] and crashes == []
    assert rec.busy[-1] is False


async def test_aclose_cancels_every_task_and_returns_once_they_stopped(crashes):
    rec = Recorder()
    tasks = [rec.runner.run(name, asyncio.sleep(10)) for name in ("a", "b")]
    await asyncio.sleep(0)  # let them start
    await rec.runner.aclose()
    assert all(task.cancelled() for task in tasks)
    assert not rec.runner.is_running()
    assert rec.errors == [] and crashes == []
    await rec.runner.aclose()  # closing again (nothing runs) returns at once


async def test_waiting_for_an_unknown_name_returns_at_once():
    rec = Recorder()
    await rec.runner.wait("nothing")
    rec.runner.cancel("nothing")
    assert rec.busy == []


async def test_without_a_busy_callback(crashes):
    runner = TaskRunner(on_error=lambda exc: None)
    task = runner.run("x", asyncio.sleep(0, result=5))
    await runner.wait("x")
    assert task.result() == 5


async def test_a_task_replaced_before_it_ever_ran_leaves_no_unawaited_coroutine(crashes):
    # with filterwarnings=error, a "coroutine ... was never awaited" warning fails this test
    rec = Recorder()
    rec.runner.run("detail", asyncio.sleep(10))
    last = rec.runner.run("detail", asyncio.sleep(0, result="second"))
    await rec.runner.wait("detail")
    assert last.result() == "second"
    assert rec.errors == [] and crashes == []
