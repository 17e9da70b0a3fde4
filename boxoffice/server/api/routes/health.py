"""`GET <service>/health` → `{"status": "ok"}` for every service the venue server answers for."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/event/health")
@router.get("/account/health")
@router.get("/venue/health")
@router.get("/health")
async def health() -> dict[str, str]:
    """Answers once the server has migrated its database and is ready."""
    return {"status": "ok"}
