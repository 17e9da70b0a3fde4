"""Tickethead's tenant hosts: `{organizer}.{tenant_domain}` answered like the base host.

Tickethead serves `event/*` and `payment/*` on a tenant host, and its SDK moves there after
`useOrganizer`: it reads `organization_name` from `GET account/v1/organizer/{name}` and sends
tenant calls to `{organization_name}.{base host}`. A venue server speaks for one organizer and
answers every path on any host, so the choice is only what to tell clients:

- without a tenant domain (the default), `organization_name` is null and clients keep the
  base URL, which always works;
- with `--tenant-domain DOMAIN`, `organization_name` is the organizer's name, and a request
  whose `Host` is `{label}.DOMAIN` is served when `label` is that organizer and refused with
  `404 unknown_tenant` otherwise, so a misspelt tenant is never answered with another's data.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from boxoffice.server.api.asgi_json import send_json
from boxoffice.server.api.errors import error_body
from boxoffice.server.api.state import ServerState


def label_of(state: ServerState, organizer: str) -> str | None:
    """The tenant label clients are told for `organizer`: its name when the server has a
    tenant domain and speaks for it, else None."""
    if not state.settings.tenant_domain or organizer.lower() != state.organizer.lower():
        return None
    return organizer


def host_label(host: str, domain: str) -> str | None:
    """`demo` for `demo.venue.test:8765` under `venue.test`; None for a host outside it (the
    base host itself included)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name, domain = name.strip().rstrip(".").lower(), domain.strip().strip(".").lower()
    if not name.endswith("." + domain):
        return None
    return name[: -len(domain) - 1]


class TenantHosts:
    """Refuse requests to a tenant host of the tenant domain that is not this organizer's."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        domain = self.state.settings.tenant_domain
        if scope["type"] == "http" and domain:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            label = host_label(host, domain)
            if label is not None and label != self.state.organizer.lower():
                body = error_body(
                    f"This server does not serve the tenant {label!r}.", "unknown_tenant"
                )
                await send_json(send, 404, body)
                return
        await self.app(scope, receive, send)
