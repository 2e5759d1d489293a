"""Log lines of the long-running processes (serve, jobs serve, worker), each with its time.

A service manager's journal adds its own time, but a log file or `docker logs` does not: every
line carries the local time with its UTC offset, so that lines from machines in other zones
and the audit trail's UTC times can be laid side by side.
"""

import logging.config
from typing import Any

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
LINE = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_LINE = '%(asctime)s %(levelname)s access: %(client_addr)s "%(request_line)s" %(status_code)s'


def log_config() -> dict[str, Any]:
    """Return the logging configuration (for dictConfig) of uvicorn's and our own loggers."""
    stream = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {"format": LINE, "datefmt": TIME_FORMAT},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": ACCESS_LINE,
                "datefmt": TIME_FORMAT,
                "use_colors": False,
            },
        },
        "handlers": {
            "line": {**stream, "formatter": "line"},
            "access": {**stream, "formatter": "access"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["line"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "platewarden": {"handlers": ["line"], "level": "INFO"},
        },
    }


def configure_logging() -> None:
    """Send uvicorn's and Platewarden's log lines to standard error, each with its time."""
    logging.config.dictConfig(log_config())
