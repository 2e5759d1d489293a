"""Alert delivery: signed webhooks retried with back-off, subscribers, and never blocking ingest."""

import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from tests.factories import CAMERA_FEED, CUSTODIAN, new_read

from platewarden.services import hotlists
from platewarden.services.delivery import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AlertPublisher,
    Webhook,
    sign,
)
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime

SECRET = "s3cret-shared-with-dispatch"


class Receiver(BaseHTTPRequestHandler):
    """A dispatch system that fails its first request, then checks signatures."""

    received: ClassVar[list[dict]] = []
    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).calls == 1:
            self.send_response(503)
            self.end_headers()
            return
        expected = sign(SECRET, self.headers[TIMESTAMP_HEADER], body)
        ok = hmac.compare_digest(expected, self.headers[SIGNATURE_HEADER])
        if ok:
            type(self).received.append(json.loads(body))
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received, Receiver.calls = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alerts"
    server.shutdown()
    server.server_close()


def load_stolen(rt: Runtime) -> None:
    hotlists.import_hotlist(rt, CUSTODIAN, source="ncic", data=b"LIC,TYP\nSTL4411,stolen vehicle\n")


def test_a_webhook_gets_a_signed_alert_after_a_failed_attempt(
    runtime: Runtime, receiver: str
) -> None:
    runtime.publisher = AlertPublisher(
        webhooks=(Webhook("dispatch", receiver, SECRET),), first_delay_s=0.01
    )
    load_stolen(runtime)
    (alert_id,) = ingest_reads(
        runtime, CAMERA_FEED, [new_read("STL4411", captured_at=runtime.clock.now())]
    ).alerts
    runtime.publisher.close()
    assert Receiver.calls == 2
    (alert,) = Receiver.received
    assert (alert["id"], alert["plate"], alert["purpose"]) == (
        alert_id,
        "STL4411",
        "stolen_vehicle",
    )
    assert runtime.publisher.failures == []


def test_an_unreachable_webhook_is_given_up_after_its_attempts(runtime: Runtime) -> None:
    runtime.publisher = AlertPublisher(
        webhooks=(Webhook("down", "http://127.0.0.1:9/x", SECRET),), attempts=3, first_delay_s=0.01
    )
    load_stolen(runtime)
    ingest_reads(runtime, CAMERA_FEED, [new_read("STL4411", captured_at=runtime.clock.now())])
    runtime.publisher.close()
    assert runtime.publisher.failures == ["alert 1: down unreachable after 3 attempts"]


def test_ingest_returns_while_a_receiver_is_still_hanging(runtime: Runtime) -> None:
    release = threading.Event()
    sent = threading.Event()

    def hanging_send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
        sent.set()
        release.wait(30)

    runtime.publisher = AlertPublisher(
        webhooks=(Webhook("slow", "http://x", SECRET),), send=hanging_send
    )
    subscriber = runtime.publisher.subscribe()
    load_stolen(runtime)
    result = ingest_reads(
        runtime, CAMERA_FEED, [new_read("STL4411", captured_at=runtime.clock.now())]
    )
    assert result.alerts == [1]  # ingest is back, the webhook is still hanging
    assert sent.wait(10)
    assert subscriber.get(timeout=10)["id"] == 1
    release.set()
    runtime.publisher.close()
