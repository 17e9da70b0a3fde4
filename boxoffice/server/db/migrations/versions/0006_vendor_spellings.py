"""the vendor SDK's spellings: `declined` orders, the contact's `business_name`

Revision ID: 0006_vendor_spellings
Revises: 0005_order_keys
Create Date: 2026-12-04 20:45:00

Tickethead's clients read `payment_failed` as the end state of an order never paid (the vendor
SDK's `OrderStatus.Canceled`), where this server meant a declined card that may be paid again.
The status of such orders is now `declined`, and `payment_failed` is only the vendor spelling
of `canceled` on the wire (`sdk/models/order_status.py`); the status column is a VARCHAR,
so that is data only. The order contact's `company_name` is `business_name`, the vendor SDK's
name for it (`order/types.ts`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_vendor_spellings"
down_revision: str | Sequence[str] | None = "0005_order_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE \"order\" SET status = 'declined' WHERE status = 'payment_failed'")
    with op.batch_alter_table("order_contact", schema=None) as batch_op:
        batch_op.alter_column(
            "company_name", new_column_name="business_name", existing_type=sa.String(200)
        )


def downgrade() -> None:
    with op.batch_alter_table("order_contact", schema=None) as batch_op:
        batch_op.alter_column(
            "business_name", new_column_name="company_name", existing_type=sa.String(200)
        )
    op.execute("UPDATE \"order\" SET status = 'payment_failed' WHERE status = 'declined'")
