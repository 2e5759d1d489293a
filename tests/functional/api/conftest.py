"""A real server on a real port over a fresh instance, and a client for it."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from platewarden.api.server import make_server
from platewarden.policy.access import Role
from platewarden.services.runtime import Runtime
from tests.factories import PASSWORD, enrol

Client = httpx.Client


@pytest.fixture
def base_url(runtime: Runtime) -> Iterator[str]:
    """Serve the API over the test's runtime on a free loopback port; yield its address."""
    with serving(runtime) as url:
        yield url


@contextmanager
def serving(runtime: Runtime) -> Iterator[str]:
    """Serve the API over a runtime on a free loopback port; yield its address."""
    server = make_server(runtime, port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "the server did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def client(base_url: str) -> Iterator[Client]:
    """An HTTP client of the test server."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


@pytest.fixture
def logged_on(runtime: Runtime, client: Client) -> Callable[..., dict[str, str]]:
    """Add a member with roles (trained unless told) and return their Authorization header."""

    def make(username: str, *roles: Role, trained: bool = True) -> dict[str, str]:
        enrol(runtime, username, *roles, trained=trained)
        answer = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    return make
