"""Who is calling: the authenticated actor and the role checks every route uses."""

from __future__ import annotations

from dataclasses import dataclass

from boxoffice.server.errors import PermissionDenied

STAFF_ROLES = frozenset({"admin", "staff"})


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller, as the access token describes them."""

    id: int
    role: str
    username: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


SYSTEM = Actor(id=0, role="admin", username="system")


def require_staff(actor: Actor) -> None:
    """Only staff and admins may go on."""
    if not actor.is_staff:
        raise PermissionDenied("Only box-office staff may do this.")


def require_admin(actor: Actor) -> None:
    """Only admins may go on."""
    if not actor.is_admin:
        raise PermissionDenied("Only an administrator may do this.")
