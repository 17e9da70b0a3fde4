#!/usr/bin/env bash
# Regenerates the initial migration from the models (only while the schema is unreleased).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f /tmp/boxoffice-autogen.sqlite3 boxoffice/server/db/migrations/versions/0001_*.py
.venv/bin/python - <<'PY'
from alembic import command
from boxoffice.server.db.engine import make_engine
from boxoffice.server.db.migrate import alembic_config
engine = make_engine("sqlite:////tmp/boxoffice-autogen.sqlite3")
cfg = alembic_config(engine)
with engine.begin() as conn:
    cfg.attributes["connection"] = conn
    command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
PY
.venv/bin/ruff format -q boxoffice/server/db/migrations/versions/
