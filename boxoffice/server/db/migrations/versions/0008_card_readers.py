"""card readers: Stripe Terminal readers per counter, card-present payments

Revision ID: 0008_card_readers
Revises: 0007_box_office_day
Create Date: 2026-12-04 23:30:00

`card_reader` (a registered Stripe Terminal reader, its label, Location and the counter it
serves, one per counter); `payment.reader_id` and `payment.failure_code` for card-present
payments.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boxoffice.server.db.base

revision: str = "0008_card_readers"
down_revision: str | Sequence[str] | None = "0007_box_office_day"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_reader",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("device_type", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("counter", sa.String(length=64), nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("registered_by", sa.Integer(), nullable=True),
        sa.Column(
            "registered_at", boxoffice.server.db.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"], ["user.id"], name=op.f("fk_card_reader_registered_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_reader")),
    )
    with op.batch_alter_table("card_reader", schema=None) as batch_op:
        batch_op.create_index("uq_card_reader_counter", ["counter"], unique=True)
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reader_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failure_code", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_column("failure_code")
        batch_op.drop_column("reader_id")
    with op.batch_alter_table("card_reader", schema=None) as batch_op:
        batch_op.drop_index("uq_card_reader_counter")
    op.drop_table("card_reader")
