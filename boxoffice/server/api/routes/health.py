"""`GET <service>/health` for every service the venue server answers for.

`{"status": "ok"}` as Tickethead answers, plus what a counter needs to know of this server:
`instance_id` (the same across restarts of one database: the sale journal tells servers
apart by it) and `mode` (`training` while cards go to the Stripe emulator, else `live`).
"""

from __future__ import annotations

from fastapi import APIRouter

from boxoffice.server.api.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/event/health")
@router.get("/account/health")
@router.get("/venue/health")
@router.get("/payment/health")
@router.get("/health")
async def health(state: StateDep) -> dict[str, str]:
    """Answers once the server has migrated its database and is ready."""
    mode = "training" if state.cards.training_mode else "live"
    return {"status": "ok", "instance_id": state.instance_id, "mode": mode}
