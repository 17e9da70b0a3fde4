"""The embedded venue server as real child processes: start, sign in, restart, stop, fail."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from boxoffice.desktop.embedded import (
    EmbeddedServer,
    EmbeddedServerError,
    ServerStatus,
)
from boxoffice.sdk import SDK, PasswordCredentials
from boxoffice.sdk.models.auth import COUNTER_USERNAME

pytestmark = pytest.mark.end2end


def alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    """The live child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


async def eventually(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.1)


class States(list[tuple[ServerStatus, str]]):
    """An `on_state` callback that records what it is told."""

    def __call__(self, status: ServerStatus, message: str) -> None:
        self.append((status, message))

    @property
    def statuses(self) -> list[ServerStatus]:
        return [status for status, _ in self]


async def demo_event_count(sdk: SDK) -> int:
    return (await sdk.event.list_events(limit=5)).paging.total


async def test_starts_signs_in_survives_a_kill_and_stops_cleanly(tmp_path):
    states = States()
    async with (
        EmbeddedServer(tmp_path / "data", on_state=states) as server,
        await SDK.build(server.base_url, organizer="demo", max_retries=0) as sdk,
    ):
        assert server.status is ServerStatus.RUNNING
        assert states.statuses == [ServerStatus.STARTING, ServerStatus.RUNNING]
        health = httpx.get(f"{server.base_url}/event/health", timeout=5).json()
        assert (health["status"], health["mode"]) == ("ok", "training")
        assert server.counter_password not in Path(f"/proc/{server.pid}/cmdline").read_text()
        await sdk.authorize(PasswordCredentials(COUNTER_USERNAME, server.counter_password))
        me = await sdk.account.me()
        assert (me.username, me.role) == ("counter", "staff")
        assert await demo_event_count(sdk) >= 1

        first_pid, base_url = server.pid, server.base_url
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        await eventually(lambda: ServerStatus.RESTARTING in states.statuses, "it restarts")
        await eventually(lambda: server.status is ServerStatus.RUNNING, "it runs again")
        assert server.base_url == base_url and server.pid not in (None, first_pid)
        assert not alive(first_pid)
        assert await demo_event_count(sdk) >= 1  # the same URL and token work again
        assert (await sdk.event.health()).instance_id == health["instance_id"]  # the same server

        second_pid = server.pid
        assert second_pid is not None
        helpers = children(second_pid)  # e.g. the Stripe emulator of training mode
    assert states.statuses[-1] is ServerStatus.STOPPED and server.pid is None
    assert not alive(second_pid)
    await eventually(lambda: not any(alive(pid) for pid in helpers), "its helpers exit", 20)
    assert children(os.getpid()) == []
    log = (tmp_path / "data" / "logs" / "server.log").read_text()
    assert log.count("--- starting the venue server") == 2
    assert server.counter_password not in log


async def test_a_server_that_cannot_start_fails_with_its_log(tmp_path):
    states = States()
    server = EmbeddedServer(
        tmp_path,
        command=[sys.executable, "-c", "import sys; sys.exit('no venue server today')"],
        on_state=states,
    )
    with pytest.raises(EmbeddedServerError, match=r"(?s)did not start: .*no venue server today"):
        await server.start()
    assert states.statuses == [ServerStatus.STARTING, ServerStatus.FAILED]
    assert server.status is ServerStatus.FAILED and server.pid is None

    missing = EmbeddedServer(tmp_path, command=[str(tmp_path / "no-such-program")])
    with pytest.raises(EmbeddedServerError, match=r"(?s)did not start: .*cannot run"):
        await missing.start()
    assert missing.status is ServerStatus.FAILED
    assert children(os.getpid()) == []


async def test_gives_up_after_repeated_quick_failures(tmp_path):
    # Serves the first time; every later start fails at once.
    script = tmp_path / "once.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, sys
            marker = {str(tmp_path / "served")!r}
            if os.path.exists(marker):
                sys.exit("the venue server is broken now")
            open(marker, "w").close()
            os.execv(sys.executable, [sys.executable, "-m", "boxoffice", *sys.argv[1:]])
            """
        )
    )
    states = States()
    async with EmbeddedServer(
        tmp_path / "data",
        command=[sys.executable, str(script)],
        on_state=states,
        max_quick_failures=2,
    ) as server:
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        await eventually(lambda: server.status is ServerStatus.FAILED, "it gives up")
        assert server.pid is None
        assert states.statuses.count(ServerStatus.RESTARTING) == 2
        assert "broken now" in states[-1][1]
        assert "stopped 2 times in a row" in states[-1][1]
    assert server.status is ServerStatus.FAILED
    assert children(os.getpid()) == []


async def test_the_server_dies_with_the_app(tmp_path):
    pid_file = tmp_path / "server.pid"
    app = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import asyncio, pathlib
                from boxoffice.desktop.embedded import EmbeddedServer

                async def main():
                    server = EmbeddedServer(pathlib.Path({str(tmp_path / "data")!r}))
                    await server.start()
                    pathlib.Path({str(pid_file)!r}).write_text(str(server.pid))
                    await asyncio.sleep(600)

                asyncio.run(main())
                """
            ),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await eventually(lambda: pid_file.exists() and pid_file.read_text() != "", "it runs")
        server_pid = int(pid_file.read_text())
        assert alive(server_pid)
    finally:
        app.kill()
        app.wait(timeout=20)
    await eventually(lambda: not alive(server_pid), "the orphaned server exits", 30)
