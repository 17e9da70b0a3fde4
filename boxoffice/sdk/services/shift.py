"""`sdk.shift`: the counter's shift and cash drawer (open, pay-ins and pay-outs, reports,
close)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from boxoffice.sdk._options import RequestOptions
from boxoffice.sdk.models.common import ListInfo
from boxoffice.sdk.models.shifts import (
    CashMovement,
    CashMovementRequest,
    ReportSize,
    Shift,
    ShiftCloseRequest,
    ShiftOpenRequest,
    ShiftReport,
    ShiftStatus,
)
from boxoffice.sdk.services._base import Service

Money = Decimal | int | str
REPORT_TIMEOUT = 60.0  # seconds for a printable report


class ShiftService(Service):
    """Shifts of the counter the SDK is built for (`SDK.counter`, sent as `X-Counter`)."""

    async def open(
        self,
        float_amount: Money,
        counter: str | None = None,
        *,
        currency: str | None = None,
        options: RequestOptions | None = None,
    ) -> Shift:
        """`POST payment/v1/shift` → the new shift of `counter` (default: the SDK's counter)
        with `float_amount` in the drawer; `ConflictError` (`shift_already_open`) if it has one."""
        body = ShiftOpenRequest.model_validate(
            {"counter": counter, "float": float_amount, "currency": currency}
        )
        return await self._requestor.request(
            "POST",
            "payment/v1/shift",
            Shift,
            json=body.model_dump(mode="json", exclude_none=True),
            options=options,
        )

    async def current(self, *, options: RequestOptions | None = None) -> ShiftReport:
        """`GET payment/v1/shift/current` → the counter's open shift as its X report;
        `NotFoundError` (`no_open_shift`) when none is open."""
        return await self._requestor.request(
            "GET", "payment/v1/shift/current", ShiftReport, options=options
        )

    async def list(
        self,
        *,
        counter: str | None = None,
        status: ShiftStatus | None = None,
        limit: int | None = None,
        offset: int | None = None,
        options: RequestOptions | None = None,
    ) -> ListInfo[Shift]:
        """`GET payment/v1/shift` → a page of shifts, newest first."""
        params = {"counter": counter, "status": status, "limit": limit, "offset": offset}
        return await self._requestor.request(
            "GET", "payment/v1/shift", ListInfo[Shift], params=params, options=options
        )

    async def get(self, shift_id: int, *, options: RequestOptions | None = None) -> Shift:
        """`GET payment/v1/shift/{id}` → the shift, with the cash its drawer should hold."""
        return await self._requestor.request(
            "GET", f"payment/v1/shift/{shift_id}", Shift, options=options
        )

    async def cash(
        self,
        shift_id: int,
        amount: Money,
        reason: str,
        *,
        options: RequestOptions | None = None,
    ) -> CashMovement:
        """`POST payment/v1/shift/{id}/cash`: a pay-in (`amount` > 0) or pay-out (< 0)."""
        body = CashMovementRequest.model_validate({"amount": amount, "reason": reason})
        return await self._requestor.request(
            "POST",
            f"payment/v1/shift/{shift_id}/cash",
            CashMovement,
            json=body.model_dump(mode="json"),
            options=options,
        )

    async def report(self, shift_id: int, *, options: RequestOptions | None = None) -> ShiftReport:
        """`GET payment/v1/shift/{id}/report` → the X report (open) or Z report (closed)."""
        return await self._requestor.request(
            "GET", f"payment/v1/shift/{shift_id}/report", ShiftReport, options=options
        )

    async def report_pdf(
        self,
        shift_id: int,
        size: ReportSize = "roll",
        *,
        language: str | None = None,
        options: RequestOptions | None = None,
    ) -> bytes:
        """`GET payment/v1/shift/{id}/report?format=pdf&size=roll|a4[&language=cs|de]` → the
        printable PDF, in `language` (English by default)."""
        params = {"format": "pdf", "size": size}
        if language:
            params["language"] = language
        response = await self._requestor.send(
            "GET",
            f"payment/v1/shift/{shift_id}/report",
            params=params,
            options={"timeout": REPORT_TIMEOUT, **(options or {})},
        )
        return response.content

    async def close(
        self,
        shift_id: int,
        counted: Money | None = None,
        denominations: Mapping[str, int] | None = None,
        *,
        options: RequestOptions | None = None,
    ) -> ShiftReport:
        """`POST payment/v1/shift/{id}/close` with the counted cash (a total, or face value →
        how many, `{"50.00": 2}`) → the Z report; `ConflictError` (`shift_closed`) if closed."""
        body = ShiftCloseRequest.model_validate(
            {
                "counted": counted,
                "denominations": dict(denominations) if denominations is not None else None,
            }
        )
        return await self._requestor.request(
            "POST",
            f"payment/v1/shift/{shift_id}/close",
            ShiftReport,
            json=body.model_dump(mode="json", exclude_none=True),
            options=options,
        )
