"""What a server start loads, and the shortcuts it takes (benchmarks/server_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from boxoffice.server import passwords
from boxoffice.server.db.engine import make_engine
from boxoffice.server.db.migrate import alembic_config, head_revisions

# Loaded on first use only: card payments, ticket and report files, migrations to run.
NOT_AT_START = ("stripe", "requests", "reportlab", "qrcode", "PIL", "alembic", "mako")


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_server_start_imports_no_payment_pdf_or_migration_libraries() -> None:
    code = (
        "import json, sys\n"
        "import boxoffice.cli.main, boxoffice.cli.server, boxoffice.server.serving\n"
        "import boxoffice.server.app\n"
        f"print(json.dumps([m for m in {NOT_AT_START!r} if m in sys.modules]))"
    )
    assert json.loads(run_python(code)) == []


def test_the_head_read_from_the_scripts_is_alembics(tmp_path: Path) -> None:
    config = alembic_config(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    assert head_revisions() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_a_migrated_database_is_recognised_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    code = (
        "import sys\n"
        "from boxoffice.server.db.engine import make_engine\n"
        "from boxoffice.server.db.migrate import upgrade\n"
        f"upgrade(make_engine({url!r}))\n"
        "print('alembic' in sys.modules)"
    )
    assert run_python(code) == "True"  # a new database: migrated by Alembic
    assert run_python(code) == "False"  # at the head already: Alembic not even loaded


def test_a_hash_made_ahead_is_the_one_taken_and_only_once() -> None:
    passwords.hash_ahead("counter secret")
    first = passwords.hash_password("counter secret")
    second = passwords.hash_password("counter secret")
    assert first != second  # the second one was made anew (another salt)
    for made in (first, second):
        assert passwords.HASHER.verify(made, "counter secret")


def test_a_check_made_ahead_is_the_one_taken_and_only_once() -> None:
    stored = passwords.HASHER.hash("counter secret")
    passwords.check_ahead(stored, "counter secret")
    passwords.check_ahead(stored, "another one")
    assert passwords.matches(stored, "counter secret")
    assert not passwords.matches(stored, "another one")
    assert passwords.matches(stored, "counter secret")  # checked anew
    assert not passwords.matches("not a hash", "counter secret")
