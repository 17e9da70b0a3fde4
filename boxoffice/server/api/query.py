"""Path and query-string types: ids, paging limits, Tickethead's `d1;d2` date ranges."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import Path, Query

from boxoffice.sdk.models.common import MAX_ID
from boxoffice.server.errors import InvalidInput

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""Every id in a path: what a BIGINT column can hold, ASCII digits only."""
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
OptionalQueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
WithParam = Annotated[str | None, Query(alias="with")]


def _moment(text: str, field: str, *, end: bool) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.min, UTC)
            return moment + timedelta(days=1) if end else moment
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO time.", code="invalid_date", field=field
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def date_range(value: str | None, field: str) -> tuple[datetime | None, datetime | None]:
    """`2026-01-01;2026-01-31` (both days included), `2026-01-01;` or a single day."""
    if not value:
        return None, None
    first, sep, last = value.partition(";")
    start = _moment(first.strip(), field, end=False) if first.strip() else None
    if not sep:
        return start, _moment(first.strip(), field, end=True)
    stop = _moment(last.strip(), field, end=True) if last.strip() else None
    return start, stop


SortBy = Annotated[str | None, Query(max_length=40)]
Direction = Annotated[str | None, Query(pattern="^(?i)(asc|desc)$")]


def sort_order(
    sort_by: str | None, direction: str | None, allowed: Collection[str]
) -> tuple[str, bool] | None:
    """`sort_by=name` (ascending) or `sort_by=-name` (descending) → `(name, descending)`;
    `direction=asc|desc` overrides the sign. None when no `sort_by` is given (each list then
    keeps its own order). A name not in `allowed` gives `422 invalid_sort`."""
    if not sort_by:
        return None
    descending = sort_by.startswith("-")
    name = sort_by.lstrip("-+ ").strip()
    if name not in allowed:
        raise InvalidInput(
            f"Cannot sort by {name!r}; choose one of {', '.join(sorted(allowed))}.",
            code="invalid_sort",
            field="sort_by",
        )
    if direction:
        descending = direction.lower() == "desc"
    return name, descending
