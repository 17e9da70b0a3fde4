"""Ticket outputs by identifier: what an order's `format` or a download request names.

The registry holds classes, not instances: outputs take their dependencies in the
constructor (`PkpassOutput(signer)`), and the composition root builds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from boxoffice.server.errors import InvalidInput
from boxoffice.server.ticketoutput.base import TicketOutput
from boxoffice.server.ticketoutput.pdf import PdfOutput
from boxoffice.server.ticketoutput.pkpass import PkpassOutput

OUTPUTS: Mapping[str, type[TicketOutput[Any]]] = MappingProxyType(
    {output.identifier: output for output in (PdfOutput, PkpassOutput)}
)


def get_output(identifier: str) -> type[TicketOutput[Any]]:
    """The output class for `identifier` ("pdf", "pkpass"; any case, as Tickethead's "PDF")."""
    try:
        return OUTPUTS[identifier.lower()]
    except KeyError:
        raise InvalidInput(
            f"Unknown ticket format {identifier!r}; one of: {', '.join(OUTPUTS)}.",
            field="format",
        ) from None
