"""seat indexes: a row of seats, and the seats of an event that are not free

Revision ID: 0011_seat_indexes
Revises: 0010_order_search
Create Date: 2026-12-05 03:10:00

For stadium-sized seat maps: best available reads one row of seats at a time
(`ix_seat_event_row`), and the seat map reads the states of the seats that are not free
(`ix_seat_event_status`), neither of them scanning every seat of the event.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_seat_indexes"
down_revision: str | Sequence[str] | None = "0010_order_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_seat_event_row", "seat", ["event_id", "section", "row"])
    op.create_index("ix_seat_event_status", "seat", ["event_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_seat_event_status", table_name="seat")
    op.drop_index("ix_seat_event_row", table_name="seat")
