"""Shifts and the cash drawer: open, pay-ins and pay-outs, X and Z reports, close."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/payment/v1/shift", tags=["shift"])
