"""Rendered ticket files kept in memory, keyed by a hash of everything printed on them.

A ticket file is a pure function of its `TicketView`s and options (see `base.TicketOutput`),
so the SHA-256 of their `repr` names it exactly: a reprint mark, a new code after a reissue,
a refunded ticket left out, a new holder or another language all make a new key, and a stale
file can never be served. The cache is bounded by total bytes (least recently used first
out) and shared by the threads of one process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from boxoffice.server.ticketoutput.base import OutputFile, TicketView

DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # about 120 two-ticket PDFs


def content_key(kind: str, options: str, tickets: Sequence[TicketView]) -> str:
    """The hex SHA-256 of the output kind, its options and every field of every ticket."""
    text = repr((kind, options, tuple(tickets)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class FileCache:
    """A thread-safe LRU of rendered files, at most `max_bytes` of file data in all."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._files: OrderedDict[str, OutputFile] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._files)

    def get(self, key: str) -> OutputFile | None:
        with self._lock:
            found = self._files.get(key)
            if found is not None:
                self._files.move_to_end(key)
            return found

    def put(self, key: str, output: OutputFile) -> None:
        size = len(output.data)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._files.pop(key, None)
            if old is not None:
                self._bytes -= len(old.data)
            self._files[key] = output
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._files.popitem(last=False)
                self._bytes -= len(dropped.data)

    def get_or_render(self, key: str, render: Callable[[], OutputFile]) -> OutputFile:
        """The cached file for `key`, or `render()`'s (rendered outside the lock, then kept)."""
        found = self.get(key)
        if found is None:
            found = render()
            self.put(key, found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._bytes = 0
