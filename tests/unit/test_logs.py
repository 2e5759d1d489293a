"""Every log line of the server, the jobs and the workers starts with its time and zone."""

import logging
import re

from uvicorn.logging import AccessFormatter

from platewarden.api.server import make_server
from platewarden.logs import log_config
from platewarden.services.runtime import Runtime

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} INFO ")


def formatted(formatter: logging.Formatter, name: str, msg: str, *args: object) -> str:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
    return formatter.format(record)


def test_our_lines_and_the_access_log_carry_the_time_with_its_zone() -> None:
    formatters = log_config()["formatters"]
    line = logging.Formatter(formatters["line"]["format"], formatters["line"]["datefmt"])
    access = AccessFormatter(
        formatters["access"]["fmt"], formatters["access"]["datefmt"], use_colors=False
    )
    job = formatted(line, "platewarden.jobs", "%s: %s", "purge", "purged 0 reads")
    request = formatted(
        access, "uvicorn.access", '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/", "1.1", 200
    )
    assert STAMP.match(job) and job.endswith("platewarden.jobs: purge: purged 0 reads")
    assert STAMP.match(request) and request.endswith('"GET / HTTP/1.1" 200 OK')


def test_the_server_logs_with_that_configuration(runtime: Runtime) -> None:
    assert make_server(runtime, port=0).config.log_config == log_config()
