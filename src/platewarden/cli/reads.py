"""`platewarden ingest`: reads from ALPR systems the department does not operate."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.domain import ReadSource
from platewarden.services.importing import import_reads_file


def ingest(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file of reads.")],
    source: Annotated[str, typer.Option(help="The system or agency the reads came from.")],
    agency: Annotated[
        bool, typer.Option(help="The reads were sent by another agency (not an import).")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option(help="Store the good rows and report the bad; default: store none.")
    ] = False,
) -> None:
    """Import reads from a file, tagged with their source; re-importing stores nothing twice."""
    kind = ReadSource.AGENCY if agency else ReadSource.IMPORT
    with opened_runtime() as rt, Progress(console=errors, transient=True) as progress:
        task = progress.add_task("storing reads", total=None)
        result = import_reads_file(
            rt,
            console_actor(rt),
            file,
            source_name=source,
            source=kind,
            skip_bad=skip_bad,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    for problem in result.skipped:
        errors.print(f"skipped {problem}", highlight=False)
    console.print(
        f"{result.rows} rows: {result.stored} stored, {result.duplicates} already stored, "
        f"{len({p.where for p in result.skipped})} skipped"
    )
