"""Users and organizers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from boxoffice.sdk.models.common import RequestModel, WireModel

Role = Literal["admin", "staff", "customer", "kiosk", "guest"]
STAFF_ROLES: frozenset[str] = frozenset({"admin", "staff"})
"""The roles that sell at the counter and see everyone's orders."""
MailStatus = Literal["queued", "sent", "failed"]


class User(WireModel):
    id: int
    username: str | None = None
    email: str | None = None
    role: Role
    type: Literal["registered", "guest"]
    verified: bool = False
    disabled: bool = False
    first_name: str | None = None
    last_name: str | None = None
    created_at: datetime


class SetPasswordRequest(RequestModel):
    """An admin's new password for an account (at least 8 characters)."""

    password: str = Field(min_length=1, max_length=1024)


class CreateUserRequest(RequestModel):
    username: str = Field(min_length=2, max_length=150, pattern=r"^[A-Za-z0-9_.@+-]+$")
    password: str = Field(min_length=8, max_length=1024)
    email: EmailStr | None = None
    role: Role = "customer"
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)


class Organizer(WireModel):
    id: int
    name: str
    display_name: str
    currency: str
    address: str | None = None  # as printed on receipts, lines separated by "\n"
    vat_id: str | None = None
    # The tenant label Tickethead's clients put before the API host (`{label}.{host}`); null
    # from a venue server without a tenant domain, whose clients keep the base URL.
    organization_name: str | None = None


class MailJob(WireModel):
    """One queued mail (the message itself is not shown)."""

    id: int
    order_id: int | None
    recipient: str
    subject: str
    status: MailStatus
    attempts: int  # failed deliveries so far
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
