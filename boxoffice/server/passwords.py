"""Argon2id password hashing, with hashes and checks that can be made ahead in the background.

A hash or a check takes about 0.1 s of both CPUs. Each start of the embedded server gets a
new counter password (`BOXOFFICE_COUNTER_PASSWORD`), checks it against the stored hash and
hashes it: `hash_ahead` and `check_ahead` run that in threads while the server's other modules
load (the hashing runs in C, without the GIL); `hash_password` and `matches` then take those
results instead of doing the work again. This module imports little, so that the hashing can
start before the heavy imports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()
_T = TypeVar("_T")
# Work started ahead, by its inputs; in practice the counter's password only, which the
# server's settings hold in memory anyway.
_hashes: dict[str, Future[str]] = {}
_checks: dict[tuple[str, str], Future[bool]] = {}
_lock = threading.Lock()


def hash_ahead(password: str) -> None:
    """Start hashing `password` in a background thread, for a later `hash_password`."""
    future = _in_background(lambda: HASHER.hash(password))
    with _lock:
        _hashes[password] = future


def hash_password(password: str) -> str:
    """A new Argon2id hash of `password` (the one made ahead for it, if any)."""
    with _lock:
        future = _hashes.pop(password, None)
    return future.result() if future is not None else HASHER.hash(password)


def check_ahead(stored: str, password: str) -> None:
    """Start checking `password` against the hash `stored` in a background thread, for a
    later `matches`."""
    future = _in_background(lambda: _verify(stored, password))
    with _lock:
        _checks[stored, password] = future


def matches(stored: str, password: str) -> bool:
    """Whether `password` is the one hashed in `stored` (the check made ahead, if any)."""
    with _lock:
        future = _checks.pop((stored, password), None)
    return future.result() if future is not None else _verify(stored, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _in_background(work: Callable[[], _T]) -> Future[_T]:
    future: Future[_T] = Future()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to whoever takes the result
            future.set_exception(exc)

    threading.Thread(target=run, name="password-hash", daemon=True).start()
    return future
