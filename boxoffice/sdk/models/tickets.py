"""Issued tickets as the wallet shows them, and the transfer request (Tickethead's
`getTickets` / `transferTickets`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from boxoffice.sdk.models.common import PositiveId, RequestModel, WireModel

TicketFormat = Literal["PDF", "PKPASS", "SECURE"]
TicketStatus = Literal["valid", "invalidated", "revoked"]  # revoked: refunded or reissued
MAX_TRANSFER = 100  # tickets in one transfer request


class Ticket(WireModel):
    """One issued ticket. `qr_payload` (the signed code the QR carries) is only sent to the
    ticket's owner; staff looking at someone else's ticket get null."""

    id: int
    code: str
    event_id: int
    order_id: int
    ticket_config_id: int
    timeslot_id: int | None = None
    sector_id: int | None = None
    seat_label: str | None = None
    format: TicketFormat
    status: TicketStatus
    owner_id: int | None = None
    holder_name: str | None = None
    issued_at: datetime
    qr_payload: str | None = None


class TransferRequest(RequestModel):
    """Give SECURE tickets to another account: by its id, or by email (an account is made
    for an email that has none)."""

    ids: list[PositiveId] = Field(min_length=1, max_length=MAX_TRANSFER)
    new_owner_id: PositiveId | None = None
    new_owner_email: EmailStr | None = None
