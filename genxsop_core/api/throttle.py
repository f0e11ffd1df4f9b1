"""Wrong API keys and forged tokens, counted per client address: after as many failures as the login
form allows (login_throttle.MAX_FAILED_LOGINS) an address is refused for login_throttle.LOCK_MINUTES.

A wrong password is counted on the account, in the database, by login_throttle itself (the token
endpoint calls it). A wrong key names no account, so it is counted here, in the process: each API
replica keeps its own count. A key holds 256 random bits, so guessing one is hopeless anyway; the
count keeps a guesser from turning every try into a database query.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from genxsop_core.admin import login_throttle
from genxsop_core.api.errors import TooManyAttempts
from genxsop_core.domain.models import utcnow

MAX_ADDRESSES = 10_000  # counted at once before the stale ones are swept out


class FailedAttempts:
    """Failures per address within the lock period; thread-safe (endpoints run in worker threads)."""

    def __init__(self, limit: int = login_throttle.MAX_FAILED_LOGINS,
                 period: timedelta = timedelta(minutes=login_throttle.LOCK_MINUTES)):
        self.limit, self.period = limit, period
        self._failures: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: datetime) -> list[datetime]:
        recent = [t for t in self._failures.get(address, []) if t > now - self.period]
        if recent:
            self._failures[address] = recent
        else:
            self._failures.pop(address, None)
        return recent

    def check(self, address: str, now: datetime | None = None) -> None:
        """Raise TooManyAttempts while `address` is locked out."""
        now = now or utcnow()
        with self._lock:
            recent = self._recent(address, now)
        if len(recent) >= self.limit:
            wait = int((recent[-self.limit] + self.period - now).total_seconds()) + 1
            raise TooManyAttempts(f"too many failed sign-ins from this address: try again in {wait // 60 + 1} "
                                  "minutes", retry_after_seconds=wait)

    def failed(self, address: str, now: datetime | None = None) -> None:
        now = now or utcnow()
        with self._lock:
            if len(self._failures) >= MAX_ADDRESSES:  # many guessing addresses: forget those whose period is over
                for stale in [a for a, times in self._failures.items() if times[-1] <= now - self.period]:
                    del self._failures[stale]
            self._failures[address] = [*self._recent(address, now), now][-self.limit:]
