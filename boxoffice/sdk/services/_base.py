"""What every service holds: the requestor and the organizer; the `with` query."""

from __future__ import annotations

from collections.abc import Sequence

from boxoffice.sdk._requestor import Requestor

With = str | Sequence[str] | None
"""Relations to expand: `"venue"`, `"[ticket_config.[ticket_discount],venue]"` or a list."""


def render_with(with_: With) -> str | None:
    """The `with` query value: a list becomes `[a,b]`, a string is sent as is."""
    if with_ is None or isinstance(with_, str):
        return with_
    return "[" + ",".join(with_) + "]"


class Service:
    """A namespace of API calls sharing one requestor."""

    def __init__(self, requestor: Requestor, organizer: str) -> None:
        self._requestor = requestor
        self._organizer = organizer
