"""Issue 12 as real processes: `boxoffice users list|disable|enable|set-password` against a
running `boxoffice serve`, and global options before or after the command."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from tests.end2end.test_serve import BOXOFFICE, login, serving, users_add

pytestmark = pytest.mark.end2end
PASSWORD = "counter password"


def boxoffice(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOXOFFICE, *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_users_list_disable_enable_and_set_password(tmp_path):
    data = tmp_path / "venue"
    assert users_add(data, "clerk", PASSWORD, "--role", "staff").returncode == 0
    assert users_add(data, "boss", PASSWORD, "--role", "admin").returncode == 0
    with serving(tmp_path, "--data-dir", str(data)) as base:
        pair = login(base, "clerk", PASSWORD).json()["data"]
        bearer = {"Authorization": f"Bearer {pair['token']}"}
        assert httpx.get(f"{base}/account/v1/user/me", headers=bearer).status_code == 200

        listed = boxoffice("users", "list", "--data-dir", str(data))
        assert listed.returncode == 0, listed.stderr
        lines = listed.stdout.splitlines()
        assert lines[0].split() == ["ID", "ROLE", "STATUS", "USERNAME", "EMAIL"]
        clerk = next(line.split() for line in lines if " clerk" in line)
        assert clerk[1:4] == ["staff", "active", "clerk"]

        # Disabled from another process while the server runs: the tokens stop at once.
        disabled = boxoffice("users", "disable", "clerk", "--data-dir", str(data))
        assert disabled.returncode == 0, disabled.stderr
        assert "disabled staff clerk" in disabled.stdout
        me = httpx.get(f"{base}/account/v1/user/me", headers=bearer)
        assert me.status_code == 401 and me.json()["errorCode"] == "account_disabled"
        refresh = httpx.post(
            f"{base}/account/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        assert refresh.status_code == 401
        assert login(base, "clerk", PASSWORD).status_code == 401
        status = boxoffice("users", "list", "--role", "staff", "--data-dir", str(data))
        assert "disabled" in status.stdout and "boss" not in status.stdout

        enabled = boxoffice("users", "enable", "clerk", "--data-dir", str(data))
        assert enabled.returncode == 0 and "enabled staff clerk" in enabled.stdout
        assert login(base, "clerk", PASSWORD).status_code == 200

        changed = boxoffice(
            "users",
            "set-password",
            "clerk",
            "--password-stdin",
            "--data-dir",
            str(data),
            stdin="a brand new secret\n",
        )
        assert changed.returncode == 0, changed.stderr
        assert login(base, "clerk", PASSWORD).status_code == 401
        assert login(base, "clerk", "a brand new secret").status_code == 200

        short = boxoffice(
            "users", "set-password", "clerk", "--password-stdin", "--data-dir", str(data),
            stdin="short\n",
        )  # fmt: skip
        assert short.returncode == 1 and "at least 8" in short.stderr
        unknown = boxoffice("users", "disable", "nobody", "--data-dir", str(data))
        assert unknown.returncode == 1
        assert unknown.stderr.strip() == "boxoffice: There is no account named 'nobody'."


def test_global_options_work_before_the_command(tmp_path):
    data = tmp_path / "venue"
    assert users_add(data, "clerk", PASSWORD, "--role", "staff").returncode == 0
    kept = tmp_path / "credentials.json"
    with serving(tmp_path, "--data-dir", str(data)) as base:
        before = boxoffice(
            "--api", base, "login", "--user", "clerk", "--password-stdin",
            "--credentials-file", str(kept), stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert before.returncode == 0, before.stderr
        assert f"Signed in as clerk at {base}" in before.stdout
        # After the command it works as before, and the later one wins.
        after = boxoffice(
            "--api", "http://127.0.0.1:9", "events", "--api", base, "--user", "clerk",
            "--credentials-file", str(kept), "--json",
        )  # fmt: skip
        assert after.returncode == 0, after.stderr
    # A data folder given before a server command.
    listed = boxoffice("--data-dir", str(data), "users", "list")
    assert listed.returncode == 0, listed.stderr
    assert "clerk" in listed.stdout
