"""Refunds of paid orders, in whole or by ticket, and of every paid order of an event."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["refund"])
