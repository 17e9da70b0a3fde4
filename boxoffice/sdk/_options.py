"""Per-call request options and their merge over the client's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict


class RequestOptions(TypedDict, total=False):
    """Options for one call; any key left out falls back to the client's default."""

    timeout: float  # seconds an attempt waits for the server to answer (read, write)
    connect_timeout: float  # seconds an attempt waits to connect
    total_timeout: float  # seconds the whole call may take, retries included
    max_retries: int
    idempotency_key: str
    extra_headers: Mapping[str, str]


def merge_options(defaults: RequestOptions, options: RequestOptions | None) -> RequestOptions:
    """`options` over `defaults`; extra headers are merged key by key."""
    merged: RequestOptions = {**defaults, **(options or {})}
    headers = {**defaults.get("extra_headers", {}), **(options or {}).get("extra_headers", {})}
    if headers:
        merged["extra_headers"] = headers
    return merged
