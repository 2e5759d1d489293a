"""Rate limits kept in the server's memory: log-on per address and per name, and per device.

A sliding window: at most `limit` requests of one key in any `window_s` seconds. Each key keeps
the times of its last `limit` requests, so memory is bounded by the keys seen recently; keys
idle for a whole window are dropped once many have gathered. One process, one count: behind
several server processes each counts its own.
"""

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from platewarden.api.problems import problem
from platewarden.settings import Settings

PRUNE_AT = 10_000  # keys kept before idle ones are dropped


class RateLimitedError(Exception):
    """Too many requests: try again after `retry_after_s` seconds."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class SlidingWindow:
    """Count requests per key; refuse one beyond `limit` in any `window_s` seconds."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Count a request; return 0 when it is allowed, else the seconds until one is."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= PRUNE_AT:
                    self._prune(now)
                hits = self._hits[key] = deque(maxlen=self.limit)
            if len(hits) == self.limit and now - hits[0] < self.window_s:
                return hits[0] + self.window_s - now
            hits.append(now)
            return 0.0

    def _prune(self, now: float) -> None:
        idle = [k for k, hits in self._hits.items() if not hits or now - hits[-1] >= self.window_s]
        for key in idle:
            del self._hits[key]


@dataclass(frozen=True)
class Limits:
    """The server's limiters, built from the settings."""

    logon_by_address: SlidingWindow
    logon_by_name: SlidingWindow
    device: SlidingWindow

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> "Limits":
        """Build the limiters the settings ask for."""
        logons = settings.logon_attempts_per_minute
        return cls(
            logon_by_address=SlidingWindow(logons, 60.0, clock),
            logon_by_name=SlidingWindow(logons, 60.0, clock),
            device=SlidingWindow(settings.device_requests_per_minute, 60.0, clock),
        )


def check(limiter: SlidingWindow, key: str, what: str) -> None:
    """Refuse the request when its key is over the limit."""
    wait = limiter.take(key)
    if wait > 0:
        raise RateLimitedError(
            f"too many {what}: at most {limiter.limit} a minute", max(1, math.ceil(wait))
        )


def limits(request: Request) -> Limits:
    """Return the server's limiters."""
    found: Limits = request.app.state.limits
    return found


def install(app: FastAPI, settings: Settings) -> None:
    """Give the app its limiters and answer a refusal with 429 and Retry-After."""
    app.state.limits = Limits.from_settings(settings)

    @app.exception_handler(RateLimitedError)
    async def limited(_: Request, exc: RateLimitedError) -> JSONResponse:
        answer = problem(429, str(exc), kind="rate-limited")
        answer.headers["Retry-After"] = str(exc.retry_after_s)
        return answer
