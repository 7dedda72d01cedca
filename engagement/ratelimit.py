"""A rate limit storage in a SQLite file, shared by every process of one machine.

The ``limits`` library ships memory (one process each: 2 gunicorn workers let twice the limit through), Redis,
memcached and MongoDB storages, but nothing local that processes share. This one registers the ``sqlite://``
scheme (``sqlite:////abs/path/ratelimits.sqlite3``) and is the default: a counter is one row, incremented in one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement, so concurrent workers never both see the last free
slot. Counters are worth no fsync (``synchronous = OFF``): a crash forgets at most the current window. Only the
fixed-window strategy (Flask-Limiter's default) is supported. Several machines share a limit through Redis instead
(``ENGAGEMENT_RATELIMIT_STORAGE_URI=redis://...``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from flask import Response
from limits.storage import Storage

BUSY_TIMEOUT_MS = 5_000

SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)"

# A counter whose window has passed starts again at `amount`; otherwise it grows. One statement, one row lock.
INCREMENT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counters.expires_at <= :now THEN :amount ELSE counters.count + :amount END,
    expires_at = CASE WHEN counters.expires_at <= :now THEN :now + :expiry ELSE counters.expires_at END
RETURNING count, expires_at
"""
# Flask-Limiter reads a limit's count and expiry right after hitting it, to write the X-RateLimit headers; the
# hit's own RETURNING answers those reads when they come this soon after it, on the same thread.
JUST_HIT_S = 0.02


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file (WAL), safe across threads and processes of one machine."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = uri.removeprefix("sqlite://")
        if not path.startswith("/"):
            raise ValueError(f"rate limit storage {uri!r}: use an absolute path, sqlite:////path/to/file")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._purged_at = 0.0
        with self._connect() as connection:
            connection.execute(SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        # One connection per thread and process (a forked child must not reuse its parent's).
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = OFF")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        connection = self._connect()
        count, expires_at = connection.execute(INCREMENT, {"key": key, "amount": amount, "now": now, "expiry": expiry}).fetchone()
        self._local.last_hit = (key, int(count), float(expires_at), now)
        if now - self._purged_at > 60:
            # Expired rows are only dead weight; drop them now and then rather than on every hit.
            self._purged_at = now
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return int(count)

    def _just_hit(self, key: str) -> tuple[str, int, float, float] | None:
        last = getattr(self._local, "last_hit", None)
        if last is not None and last[0] == key and time.time() - last[3] < JUST_HIT_S:
            return last
        return None

    def get(self, key: str) -> int:
        if (last := self._just_hit(key)) is not None:
            return last[1]
        row = self._connect().execute(
            "SELECT count FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        if (last := self._just_hit(key)) is not None:
            return last[2]
        now = time.time()
        row = self._connect().execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._connect().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        self._local.last_hit = None
        return self._connect().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._local.last_hit = None
        self._connect().execute("DELETE FROM counters WHERE key = ?", (key,))


# Flask-Limiter writes its Retry-After on every limited response, 2xx included, and on a 503 replaces the app's
# own short Retry-After with the limit's window. It writes it under this name instead (RATELIMIT_HEADER_RETRY_AFTER),
# and only a 429 gets it as Retry-After.
LIMITER_RETRY_AFTER = "X-RateLimit-Retry-After"


def retry_after_on_429_only(response: Response) -> Response:
    """An after_request hook, registered before the limiter's so that it runs after it."""
    value = response.headers.pop(LIMITER_RETRY_AFTER, None)
    if response.status_code == 429 and value is not None:
        response.headers["Retry-After"] = value
    return response
