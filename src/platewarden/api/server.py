"""`platewarden serve`: the API on uvicorn, with the scheduled jobs beside it.

The server refuses to listen beyond this machine in the clear: either it has TLS files, or the
settings say a reverse proxy in front of it terminates TLS.
"""

import ipaddress
import logging
import threading
from collections.abc import Callable

import uvicorn

from platewarden.api.app import create_app
from platewarden.jobs.registry import serve as serve_jobs
from platewarden.jobs.worker import run_worker
from platewarden.logs import log_config
from platewarden.services.capture import PlateReader
from platewarden.services.runtime import Runtime
from platewarden.settings import Settings, SettingsError, listen_address

log = logging.getLogger("platewarden.server")


def check_exposure(settings: Settings) -> None:
    """Refuse settings that would put plates and passwords on the network unencrypted."""
    host, _ = listen_address(settings)
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise SettingsError("tls_cert and tls_key are given together or not at all")
    for path in (settings.tls_cert, settings.tls_key):
        if path is not None and not path.is_file():
            raise SettingsError(f"TLS file {path} does not exist")
    if _is_loopback(host) or settings.tls_cert is not None or settings.behind_proxy:
        return
    raise SettingsError(
        f"listen {settings.listen} reaches beyond this machine without TLS: give tls_cert and "
        "tls_key, or set behind_proxy = yes when a reverse proxy terminates TLS in front of it"
    )


def make_server(rt: Runtime, *, port: int | None = None) -> uvicorn.Server:
    """Return the uvicorn server of the API on the settings' address (port 0: any free one)."""
    settings = rt.settings
    host, configured = listen_address(settings)
    config = uvicorn.Config(
        create_app(rt),
        host=host,
        port=configured if port is None else port,
        ssl_certfile=str(settings.tls_cert) if settings.tls_cert else None,
        ssl_keyfile=str(settings.tls_key) if settings.tls_key else None,
        proxy_headers=settings.behind_proxy,
        forwarded_allow_ips="*" if settings.behind_proxy else None,
        server_header=False,
        lifespan="off",
        log_level="info",
        log_config=log_config(),
    )
    return uvicorn.Server(config)


def run_server(
    rt: Runtime,
    *,
    jobs: bool,
    reader: PlateReader | None = None,
    on_ready: Callable[[str], None] = lambda _: None,
) -> None:
    """Serve the console and the API until interrupted, with the jobs (unless jobs is False)
    and, given a reader, a recognition worker for the frame queue; `on_ready` gets the address."""
    check_exposure(rt.settings)
    server = make_server(rt)
    stop = threading.Event()
    threads = [threading.Thread(target=_upkeep, args=(rt, jobs, stop), name="platewarden-jobs")]
    if reader is not None:
        threads.append(
            threading.Thread(target=_worker, args=(rt, reader, stop), name="platewarden-worker")
        )
    for thread in threads:
        thread.daemon = True
        thread.start()
    scheme = "https" if rt.settings.tls_cert else "http"
    on_ready(f"{scheme}://{rt.settings.listen}")
    try:
        server.run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def _upkeep(rt: Runtime, jobs: bool, stop: threading.Event) -> None:
    """Run the scheduled jobs as the installation; without them, still take up new policies."""
    try:
        if jobs:
            serve_jobs(rt, lambda name, line: log.info("%s: %s", name, line), stop=stop)
            return
        while not stop.wait(60.0):
            if rt.reload_policy():
                log.info("policy version %s in force", rt.policy_version)
    except Exception:  # the API goes on serving; the log says why upkeep stopped
        log.exception("scheduled jobs stopped")


def _worker(rt: Runtime, reader: PlateReader, stop: threading.Event) -> None:
    try:
        run_worker(rt, reader, stop=stop)
    except Exception:  # the API goes on serving; frames wait for a `platewarden worker`
        log.exception("the recognition worker stopped")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
