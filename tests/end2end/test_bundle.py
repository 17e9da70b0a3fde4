"""The PyInstaller bundle: `boxoffice.spec` built once, the frozen binary started for real.

The build takes about 80 s (2 cores, cold PyInstaller cache); each check runs the bundle's own
binary, never this interpreter, so what is missing from the bundle fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from boxoffice.desktop.qt_env import prepare_qt_environment
from tests.helpers.processes import free_port, wait_until_healthy

# Building takes most of the time: the whole module gets the build and the runs.
pytestmark = [pytest.mark.end2end, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
PYINSTALLER = [sys.executable, "-m", "PyInstaller"]  # the dev extra's pyinstaller
BUILD_TIMEOUT = 300
RUN_TIMEOUT = 120


def bundle_env(**extra: str) -> dict[str, str]:
    """The environment for the bundle: offscreen Qt, no Chromium sandbox as root, and none of
    the developer's Box Office settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    prepare_qt_environment(env)
    env.pop("PYTHONPATH", None)  # the bundle must not find the source tree
    return {**env, **extra}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`pyinstaller --noconfirm boxoffice.spec` into a temporary dist/; yields the binary."""
    out = tmp_path_factory.mktemp("bundle")
    build = subprocess.run(
        [
            *PYINSTALLER,
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            "boxoffice.spec",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-5000:]
    binary = out / "dist" / "boxoffice" / "boxoffice"
    assert binary.is_file()
    shutil.rmtree(out / "build", ignore_errors=True)
    yield binary
    shutil.rmtree(out, ignore_errors=True)  # about 450 MB


def test_the_bundle_opens_the_app_with_its_embedded_server(bundle, tmp_path):
    """`--self-test`: the window comes up and shows the events of the embedded server, which
    the bundle started as `boxoffice serve` (its own binary as the child)."""
    data = tmp_path / "data"
    run = subprocess.run(
        [
            str(bundle),
            "--self-test",
            "--data-dir",
            str(data),
            "--settings-file",
            str(tmp_path / "settings.ini"),
        ],
        cwd=tmp_path,
        env=bundle_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    server_log = data / "logs" / "server.log"
    detail = (
        run.stdout + run.stderr[-4000:] + (server_log.read_text() if server_log.exists() else "")
    )
    assert run.returncode == 0, detail
    assert "self-test: ready" in run.stdout, detail
    assert "mode embedded" in run.stdout, detail


def _paid_general_admission(events: list[dict[str, Any]]) -> tuple[int, int]:
    """An event and ticket config that a guest can buy by card without picking seats."""
    now = datetime.now(UTC)
    for event in events:
        if event.get("has_seat_map"):
            continue
        for config in event.get("ticket_config") or []:
            starts = config.get("start_sale_at")
            if (
                float(config["face_value"]) > 0
                and not config.get("timeslot_ids")
                and not config.get("seat_category")
                and (starts is None or datetime.fromisoformat(starts.replace("Z", "+00:00")) <= now)
                and config.get("available") != 0
            ):
                return event["id"], config["id"]
    raise AssertionError(f"no paid general-admission ticket in the demo catalog: {events}")


def test_the_bundled_server_takes_a_card_payment(bundle, tmp_path):
    """`boxoffice serve` from the bundle answers, and a card sale goes through its Stripe
    emulator, a child the bundle runs as `boxoffice -m …emulator_process`."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = bundle_env()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(bundle), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(tmp_path / "data")],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_healthy(base, server, log, timeout=60)

        def client(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(bundle), *args, "--api", base,
                 "--credentials-file", str(tmp_path / "credentials.json")],
                cwd=tmp_path,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
            )  # fmt: skip

        listing = client("events", "--json")
        assert listing.returncode == 0, listing.stderr
        event_id, config_id = _paid_general_admission(json.loads(listing.stdout))
        tickets = tmp_path / "tickets"
        sale = client(
            "sell", str(event_id), str(config_id), "--qty", "2",
            "--test-card", "4242424242424242", "--out", str(tickets),
        )  # fmt: skip
        assert sale.returncode == 0, sale.stdout + sale.stderr + log.read_text()
        assert "paid, 2 ticket(s)" in sale.stdout and "(card)" in sale.stdout
        pdfs = list(tickets.glob("tickets-*.pdf"))
        assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
    assert server.returncode in (0, -15), log.read_text()
