"""An order's papers and story: receipts, reprints, reissues and its history."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["order documents"])
