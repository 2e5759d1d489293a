"""`platewarden export` and `export verify`: evidence on portable media."""

import shutil
from pathlib import Path
from typing import Annotated

import typer

from platewarden.cli.context import cli_errors, console, console_actor, errors, opened_runtime
from platewarden.cli.times import show_time
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.export import (
    export_hold,
    export_hold_archive,
    verify_recorded_archive,
    verify_recorded_export,
)
from platewarden.store.files import open_private

app = typer.Typer()


@app.callback(invoke_without_command=True)
def export(
    ctx: typer.Context,
    hold: Annotated[int | None, typer.Option(help="The hold whose reads to export.")] = None,
    to: Annotated[
        Path | None,
        typer.Option(help="A new or empty folder, e.g. on a USB drive, or a new FILE.zip."),
    ] = None,
    evidence_number: Annotated[
        str | None, typer.Option(help="The property/evidence number.")
    ] = None,
) -> None:
    """Export a hold's reads and images with a manifest and custody record (or `export verify`)."""
    given = {"--hold": hold, "--to": to, "--evidence-number": evidence_number}
    if ctx.invoked_subcommand is not None:
        if any(v is not None for v in given.values()):
            ctx.fail(f"--hold, --to and --evidence-number are not for `{ctx.invoked_subcommand}`")
        return
    if hold is None or to is None or evidence_number is None:
        missing = [name for name, value in given.items() if value is None]
        ctx.fail(f"missing {', '.join(missing)}: an export needs all three")
    if to.suffix.lower() == ".zip":
        _export_archive(hold, to, evidence_number)
        return
    with opened_runtime() as rt:
        result = export_hold(
            rt, console_actor(rt), hold_id=hold, evidence_number=evidence_number, destination=to
        )
    console.print(
        f"exported {result.read_count} reads and {result.image_count} images "
        f"to {result.destination}"
    )
    console.print(f"manifest SHA-256 (write it on the evidence label): {result.manifest_sha256}")


def _export_archive(hold: int, to: Path, evidence_number: str) -> None:
    """Write the zip archive the API downloads to a new owner-only file."""
    if to.exists() or not to.parent.is_dir():
        raise typer.BadParameter(f"{to} exists, or its folder does not", param_hint="--to")
    with opened_runtime() as rt:
        made = export_hold_archive(
            rt, console_actor(rt), hold_id=hold, evidence_number=evidence_number
        )
    with cli_errors(), made.stream:
        try:
            with open_private(to, "wb", exclusive=True) as out:
                shutil.copyfileobj(made.stream, out)
        except OSError as exc:
            raise InvalidInputError(
                f"export {made.manifest_sha256} is recorded but was not saved:",
                [Problem(str(to), exc.strerror or str(exc))],
            ) from None
    console.print(f"exported {made.read_count} reads and {made.image_count} images to {to}")
    console.print(f"manifest SHA-256 (write it on the evidence label): {made.manifest_sha256}")


@app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="An export folder or zip archive.")],
) -> None:
    """Check an export against its manifest, and the manifest against the one on record."""
    with opened_runtime() as rt:
        if folder.is_file():
            with folder.open("rb") as archive:
                check = verify_recorded_archive(rt, console_actor(rt), archive)
        else:
            check = verify_recorded_export(rt, console_actor(rt), folder)
    console.print(f"manifest SHA-256: {check.manifest_sha256}")
    for label, names in (
        ("changed", check.changed),
        ("missing", check.missing),
        ("not in the manifest", check.unexpected),
    ):
        for name in names:
            errors.print(f"[red]{label}:[/red] {name}", highlight=False)
    if check.record is None:
        errors.print(
            "[red]not on record:[/red] no export or release with this manifest SHA-256 was "
            "made here; the manifest is not the one written at export time",
            highlight=False,
        )
    else:
        r = check.record
        at = show_time(r.at, rt.settings.zone)
        console.print(
            f"on record: {r.kind} {r.id} ({r.label}) by {r.by}, {at}",
            highlight=False,
        )
    if not check.ok or check.record is None:
        raise typer.Exit(1)
    console.print(f"all {check.files_checked} files match the manifest")


def verify_export(
    folder: Annotated[Path, typer.Argument(help="An export folder or zip archive.")],
) -> None:
    """The old name of `export verify`, kept for this release."""
    errors.print("note: `platewarden verify-export` is now `platewarden export verify`")
    verify(folder)
