"""Machine-readable output: JSON lines in the API's field names, and tables that fit a terminal.

Every `--json` prints one JSON object a line: a list one line per record, a show one line.
The objects are the services' results as the API writes them (`api.encode.to_json`), so a
script reads the same fields from either; times are UTC (ISO 8601), as stored.
"""

import json
from collections.abc import Collection, Iterable
from typing import Annotated, Any

import typer
from rich.table import Table

from platewarden.api.encode import to_json

JsonFlag = Annotated[
    bool,
    typer.Option(
        "--json", help="Print JSON lines: one object a record, the API's fields, times in UTC."
    ),
]


def print_json(records: Iterable[Any]) -> None:
    """Print each record as one line of JSON, as the API writes it."""
    for record in records:
        typer.echo(json.dumps(to_json(record), ensure_ascii=False))


def new_table(*columns: str, times: Collection[str] = ()) -> Table:
    """Return a table whose time columns never wrap; the others wrap, folding a long word,
    so that the table fits the terminal (100 columns) and loses nothing."""
    made = Table()
    for name in columns:
        if name in times:
            made.add_column(name, no_wrap=True)
        else:
            made.add_column(name, overflow="fold")
    return made
