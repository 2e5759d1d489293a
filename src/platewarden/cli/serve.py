"""`platewarden serve`: the HTTP API and the scheduled jobs in one process."""

from typing import Annotated

import typer

from platewarden.api.server import check_exposure, run_server
from platewarden.cli.context import cli_errors, console, opened_runtime
from platewarden.cli.vision import load_recognizer
from platewarden.jobs.worker import WORKER_THREADS
from platewarden.settings import get_settings


def serve(
    jobs: Annotated[
        bool, typer.Option(help="Run the scheduled jobs (hot lists, purge, audit check) too.")
    ] = True,
    worker: Annotated[
        bool, typer.Option(help="Read queued camera frames in this process too.")
    ] = True,
) -> None:
    """Start the server: the web console at /, the API under /api/v1 and its docs at /api/docs."""
    with cli_errors():
        check_exposure(get_settings())  # before anything is opened
    reader = load_recognizer(None, threads=WORKER_THREADS) if worker else None
    with opened_runtime() as rt:
        run_server(
            rt,
            jobs=jobs,
            reader=reader,
            on_ready=lambda url: console.print(
                f"Platewarden serving the console at {url}/ and the API's docs at {url}/api/docs",
                highlight=False,
            ),
        )
