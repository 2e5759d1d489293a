"""Alert delivery: to live subscribers (the console's server-sent events) and to webhooks.

Ingest only puts an alert on a queue; a background thread delivers it, so a slow or failing
receiver never holds up ingest. Webhook bodies are signed with HMAC-SHA256 over
"timestamp.body" and retried with exponential back-off. Pending deliveries live in memory: an
alert not delivered before the process stops is still in the store and in the console.
"""

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Platewarden-Signature"
TIMESTAMP_HEADER = "X-Platewarden-Timestamp"


@dataclass(frozen=True)
class Webhook:
    """A receiver of alerts: its URL and the shared secret that signs each body."""

    name: str
    url: str
    secret: str


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value of a body sent at a timestamp."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST a JSON body; raise on a network error or a status other than 2xx."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"{url} answered {response.status}")


@dataclass
class AlertPublisher:
    """Publishes alerts without blocking the caller."""

    webhooks: tuple[Webhook, ...] = ()
    attempts: int = 5
    first_delay_s: float = 1.0
    timeout_s: float = 10.0
    send: Callable[[str, bytes, dict[str, str], float], None] = post_json
    _queue: "queue.Queue[dict[str, Any] | None]" = field(
        default_factory=lambda: queue.Queue(10_000)
    )
    _subscribers: list["queue.Queue[dict[str, Any]]"] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None
    failures: list[str] = field(default_factory=list)

    def subscribe(self) -> "queue.Queue[dict[str, Any]]":
        """Return a queue that receives every alert published from now on."""
        subscriber: queue.Queue[dict[str, Any]] = queue.Queue(1000)
        with self._lock:
            self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: "queue.Queue[dict[str, Any]]") -> None:
        """Stop sending alerts to a subscriber."""
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def publish(self, alert: dict[str, Any]) -> None:
        """Queue an alert for delivery and return at once."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="alert-delivery", daemon=True
                )
                self._thread.start()
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            self.failures.append(f"alert {alert.get('id')}: delivery queue full, not delivered")

    def close(self, timeout_s: float = 30.0) -> None:
        """Deliver what is queued (waiting at most timeout_s) and stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while (alert := self._queue.get()) is not None:
            with self._lock:
                subscribers = list(self._subscribers)
            for subscriber in subscribers:
                try:
                    subscriber.put_nowait(alert)
                except queue.Full:  # a subscriber that stopped reading misses alerts, not ingest
                    self.failures.append(f"alert {alert.get('id')}: a subscriber is not reading")
            body = json.dumps(alert, sort_keys=True, default=str).encode()
            for hook in self.webhooks:
                self._deliver(hook, alert, body)

    def _deliver(self, hook: Webhook, alert: dict[str, Any], body: bytes) -> None:
        delay = self.first_delay_s
        for attempt in range(1, self.attempts + 1):
            timestamp = str(int(time.time()))
            headers = {
                SIGNATURE_HEADER: sign(hook.secret, timestamp, body),
                TIMESTAMP_HEADER: timestamp,
            }
            try:
                self.send(hook.url, body, headers, self.timeout_s)
                return
            except OSError as exc:
                log.warning(
                    "alert %s to %s: attempt %d failed: %s",
                    alert.get("id"),
                    hook.name,
                    attempt,
                    exc,
                )
                if attempt < self.attempts:
                    time.sleep(delay)
                    delay *= 2
        self.failures.append(
            f"alert {alert.get('id')}: {hook.name} unreachable after {self.attempts} attempts"
        )
