"""`async for` over every item of a paged list (`{"data": [...], "paging": {...}}`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from boxoffice.sdk.models.common import ListInfo

T = TypeVar("T")

PageFetcher = Callable[[int, int], Awaitable[ListInfo[T]]]
"""Fetches one page given (limit, offset)."""


async def auto_page(fetch: PageFetcher[T], *, page_size: int = 100) -> AsyncIterator[T]:
    """Yield the items of every page in turn until `paging.total` is reached."""
    offset = 0
    while True:
        page = await fetch(page_size, offset)
        for item in page.data:
            yield item
        offset += len(page.data)
        if not page.data or offset >= page.paging.total:
            return
