"""the box-office day: shifts, cash movements, refunds, taxes, reprints

Revision ID: 0007_box_office_day
Revises: 0006_vendor_spellings
Create Date: 2026-12-04 21:03:19

`shift` (a counter's drawer session, one open per counter) and `cash_movement` (every cash in
and out of it); `refund` and `refund_ticket` (a ticket is refunded once); `payment.refunded`
and `payment.shift_id`; `ticket.reprints` and `ticket.reissued_from_id`;
`ticket_config.tax_rate` (basis points, included in the price); the organizer's `address` and
`vat_id` for receipts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boxoffice.server.db.base

revision: str = "0007_box_office_day"
down_revision: str | Sequence[str] | None = "0006_vendor_spellings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("float_amount", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("opened_at", boxoffice.server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", boxoffice.server.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("counted_amount", sa.Integer(), nullable=True),
        sa.Column("counted_detail", sa.JSON(), nullable=True),
        sa.Column("ledger_head", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["closed_by"], ["user.id"], name=op.f("fk_shift_closed_by_user")),
        sa.ForeignKeyConstraint(["opened_by"], ["user.id"], name=op.f("fk_shift_opened_by_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_counter"), ["counter"], unique=False)
        batch_op.create_index(
            "uq_shift_open_counter",
            ["counter"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider_refund_id", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", boxoffice.server.db.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", boxoffice.server.db.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], name=op.f("fk_refund_order_id_order")),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_refund_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(["shift_id"], ["shift.id"], name=op.f("fk_refund_shift_id_shift")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_refund_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund")),
    )
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_order_id"), ["order_id"], unique=False)

    op.create_table(
        "cash_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", boxoffice.server.db.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_cash_movement_order_id_order")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_cash_movement_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.id"], name=op.f("fk_cash_movement_refund_id_refund")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_cash_movement_shift_id_shift")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_cash_movement_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_movement")),
    )
    with op.batch_alter_table("cash_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cash_movement_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cash_movement_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "refund_ticket",
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refund.id"],
            name=op.f("fk_refund_ticket_refund_id_refund"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_refund_ticket_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("refund_id", "ticket_id", name=op.f("pk_refund_ticket")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_refund_ticket_ticket_id")),
    )
    # Plain ALTER TABLE ADD/DROP COLUMN (no batch rebuild, no new foreign keys): SQLite
    # rebuilds a table for a batch operation, which its foreign keys from other tables
    # forbid inside the migration's transaction.
    op.add_column("organizer", sa.Column("address", sa.Text(), nullable=True))
    op.add_column("organizer", sa.Column("vat_id", sa.String(length=40), nullable=True))
    op.add_column(
        "payment", sa.Column("refunded", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("payment", sa.Column("shift_id", sa.Integer(), nullable=True))
    op.add_column("ticket", sa.Column("reprints", sa.Integer(), server_default="0", nullable=False))
    op.add_column("ticket", sa.Column("reissued_from_id", sa.Integer(), nullable=True))
    op.add_column(
        "ticket_config", sa.Column("tax_rate", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    for table, column in (
        ("ticket_config", "tax_rate"),
        ("ticket", "reissued_from_id"),
        ("ticket", "reprints"),
        ("payment", "shift_id"),
        ("payment", "refunded"),
        ("organizer", "vat_id"),
        ("organizer", "address"),
    ):
        op.drop_column(table, column)
    op.drop_table("refund_ticket")
    with op.batch_alter_table("cash_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cash_movement_shift_id"))
        batch_op.drop_index(batch_op.f("ix_cash_movement_order_id"))

    op.drop_table("cash_movement")
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_order_id"))

    op.drop_table("refund")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_shift_open_counter",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_shift_counter"))

    op.drop_table("shift")
