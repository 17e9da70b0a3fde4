"""Failed sign-ins slow down and then lock an account and a client address; a success resets
the account. Counting is done by the `limits` library (moving windows in this process's memory).

Each key (an account, an address) has three moving windows:

- the failures of the last `window` seconds;
- from `slowdown_after` failures on, each failure closes the key for `slowdown_seconds`;
- from `lock_after` failures on, each failure closes it for `lock_seconds`.

While a key is closed no password is checked for it, so neither a right nor a wrong one counts.
The state lives in this process only: one venue server process, as `boxoffice serve` runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import anyio
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from boxoffice.server.config import ServerSettings


@dataclass(frozen=True)
class Policy:
    """How many failures a kind of key may have, and how long it is then closed."""

    window_seconds: int
    slowdown_after: int
    slowdown_seconds: int
    lock_after: int
    lock_seconds: int


class _Kind:
    """The three windows of one kind of key (accounts, or addresses)."""

    def __init__(self, name: str, policy: Policy) -> None:
        self.policy = policy
        # The failures: as many as `lock_after` are ever needed to decide.
        self.failures: RateLimitItem = RateLimitItemPerSecond(
            max(policy.lock_after, policy.slowdown_after, 1),
            policy.window_seconds,
            namespace=f"signin-{name}-failures",
        )
        # A "lock" is one hit in a window of that length: closed until the hit ages out.
        self.slowed: RateLimitItem = RateLimitItemPerSecond(
            1, policy.slowdown_seconds, namespace=f"signin-{name}-slowed"
        )
        self.locked: RateLimitItem = RateLimitItemPerSecond(
            1, policy.lock_seconds, namespace=f"signin-{name}-locked"
        )


class SignInGuard:
    """Thread-safe (the `limits` memory storage locks itself); one per server process."""

    def __init__(self, *, account: Policy, address: Policy) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._account = _Kind("account", account)
        self._address = _Kind("address", address)

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> SignInGuard:
        """The `signin_*` settings: the account's policy, and the address's (its own
        thresholds, the same window and closing times)."""
        account = Policy(
            window_seconds=settings.signin_window_seconds,
            slowdown_after=settings.signin_slowdown_after,
            slowdown_seconds=settings.signin_slowdown_seconds,
            lock_after=settings.signin_lock_after,
            lock_seconds=settings.signin_lock_seconds,
        )
        address = Policy(
            window_seconds=settings.signin_window_seconds,
            slowdown_after=settings.signin_address_slowdown_after,
            slowdown_seconds=settings.signin_slowdown_seconds,
            lock_after=settings.signin_address_lock_after,
            lock_seconds=settings.signin_lock_seconds,
        )
        return cls(account=account, address=address)

    def wait_seconds(self, *, address: str, account: str | None = None) -> int:
        """0 if sign-in may be tried for `address` (and `account`), else whole seconds to wait."""
        waits = [self._closed_for(self._address, address)]
        if account is not None:
            waits.append(self._closed_for(self._account, account))
        return max(waits)

    def failed(self, *, address: str, account: str) -> None:
        """Count a wrong password (or an unknown user) against both keys."""
        self._count(self._address, address)
        self._count(self._account, account)

    def succeeded(self, *, account: str) -> None:
        """The right password: the account's failures and locks are forgotten. The address's
        are not, or one account of its own would let an address guess at all the others."""
        kind = self._account
        for item in (kind.failures, kind.slowed, kind.locked):
            self._limiter.clear(item, account)

    def _closed_for(self, kind: _Kind, key: str) -> int:
        wait = 0
        for item in (kind.slowed, kind.locked):
            if not self._limiter.test(item, key):
                reset = self._limiter.get_window_stats(item, key).reset_time
                wait = max(wait, 1, math.ceil(reset - time.time()))
        return wait

    def _count(self, kind: _Kind, key: str) -> None:
        self._limiter.hit(kind.failures, key)
        stats = self._limiter.get_window_stats(kind.failures, key)
        failures = kind.failures.amount - stats.remaining
        if failures >= kind.policy.lock_after:
            self._limiter.hit(kind.locked, key)
        elif failures >= kind.policy.slowdown_after:
            self._limiter.hit(kind.slowed, key)


class PasswordChecks:
    """At most `concurrency` password checks at once, each in a worker thread of its own
    budget (not the one the sync routes share): a flood of sign-ins waits here, on the event
    loop, holding no thread, database connection or write lock, and leaves the other CPU(s)
    to the sales."""

    def __init__(self, concurrency: int) -> None:
        self.slots = anyio.Semaphore(concurrency)
        self.threads = anyio.CapacityLimiter(concurrency)
