"""Who is calling: the authenticated actor and the role checks every route uses."""

from __future__ import annotations

from dataclasses import dataclass

from boxoffice.server.errors import PermissionDenied

STAFF_ROLES = frozenset({"admin", "staff"})
# A self-service kiosk's device account: it buys as a guest does, and may take the card on
# its own counter's reader; nothing of staff.
KIOSK = "kiosk"


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller, as the access token describes them (role and names checked against the
    account on every request)."""

    id: int
    role: str
    username: str | None = None
    full_name: str | None = None  # first and last name, once read from the account

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_kiosk(self) -> bool:
        return self.role == KIOSK


SYSTEM = Actor(id=0, role="admin", username="system")


def require_staff(actor: Actor) -> None:
    """Only staff and admins may go on."""
    if not actor.is_staff:
        raise PermissionDenied("Only box-office staff may do this.")


def require_seller(actor: Actor) -> None:
    """Staff, or a kiosk (it sells to the customer in front of it, on its own orders)."""
    if not (actor.is_staff or actor.is_kiosk):
        raise PermissionDenied("Only box-office staff or a kiosk may do this.")


def require_admin(actor: Actor) -> None:
    """Only admins may go on."""
    if not actor.is_admin:
        raise PermissionDenied("Only an administrator may do this.")


def full_name(first_name: str | None, last_name: str | None) -> str | None:
    """An account's first and last name, or None when it has neither."""
    return " ".join(part for part in (first_name, last_name) if part) or None


def staff_name(user_id: int, username: str | None, name: str | None) -> str:
    """How an order or a shift report names a staff account: its full name, else its user
    name, else its number."""
    return name or username or f"user {user_id}"
