"""accounts can be disabled; stored sign-in answers are forgotten

Revision ID: 0004_accounts
Revises: 0003_claims
Create Date: 2026-12-04 18:25:00

`user.disabled` (false for every existing account). Answers that carry credentials (login,
guest login, refresh: `{token, refresh_token}`) are no longer kept by the idempotency store;
those an older server stored, in plain text, are deleted here.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_accounts"
down_revision: str | Sequence[str] | None = "0003_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RECORDS = sa.table(
    "idempotency_record",
    sa.column("actor", sa.String()),
    sa.column("key", sa.String()),
    sa.column("body", sa.LargeBinary()),
)


def carries_credentials(body: bytes | None) -> bool:
    """True for a stored `{"data": {"token": …, "refresh_token": …}}` (either spelling)."""
    if not body or b"token" not in body.lower():
        return False
    try:
        data = json.loads(body).get("data")
    except (ValueError, AttributeError):
        return False
    return isinstance(data, dict) and bool({"refresh_token", "refreshToken", "token"} & set(data))


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_RECORDS.c.actor, _RECORDS.c.key, _RECORDS.c.body).where(
            _RECORDS.c.body.is_not(None)
        )
    )
    leaked = [(row.actor, row.key) for row in rows if carries_credentials(row.body)]
    for actor, key in leaked:
        connection.execute(
            sa.delete(_RECORDS).where(_RECORDS.c.actor == actor, _RECORDS.c.key == key)
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("disabled")
