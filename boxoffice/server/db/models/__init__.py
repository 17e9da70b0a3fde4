"""All tables, imported here so that metadata and Alembic see every one."""

from boxoffice.server.db.models.audit import AuditEntry
from boxoffice.server.db.models.card_reader import CardReader
from boxoffice.server.db.models.catalog import (
    Discount,
    Event,
    Organizer,
    Sector,
    TicketConfig,
    Timeslot,
    Venue,
    discount_ticket_config,
    sector_ticket_config,
    timeslot_ticket_config,
)
from boxoffice.server.db.models.idempotency import IdempotencyRecord
from boxoffice.server.db.models.ledger import LedgerEntryRow
from boxoffice.server.db.models.order import Order, OrderContact, OrderItem
from boxoffice.server.db.models.payment import MailJob, Payment
from boxoffice.server.db.models.refund import Refund, refund_ticket
from boxoffice.server.db.models.seat import HoldToken, Seat
from boxoffice.server.db.models.setting import Setting
from boxoffice.server.db.models.shift import CashMovement, Shift
from boxoffice.server.db.models.ticket import EventSigningKey, Ticket
from boxoffice.server.db.models.user import RefreshToken, User

__all__ = [
    "AuditEntry",
    "CardReader",
    "CashMovement",
    "Discount",
    "Event",
    "EventSigningKey",
    "HoldToken",
    "IdempotencyRecord",
    "LedgerEntryRow",
    "MailJob",
    "Order",
    "OrderContact",
    "OrderItem",
    "Organizer",
    "Payment",
    "RefreshToken",
    "Refund",
    "Seat",
    "Sector",
    "Setting",
    "Shift",
    "Ticket",
    "TicketConfig",
    "Timeslot",
    "User",
    "Venue",
    "discount_ticket_config",
    "refund_ticket",
    "sector_ticket_config",
    "timeslot_ticket_config",
]
