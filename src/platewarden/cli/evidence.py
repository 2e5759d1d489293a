"""`platewarden export` and `verify-export`: evidence on portable media."""

from pathlib import Path
from typing import Annotated

import typer

from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.services.export import export_hold, verify_recorded_export


def export(
    hold: Annotated[int, typer.Option(help="The hold whose reads to export.")],
    to: Annotated[Path, typer.Option(help="A new or empty folder, e.g. on a USB drive.")],
    evidence_number: Annotated[str, typer.Option(help="The property/evidence number.")],
) -> None:
    """Export a hold's reads and images with a manifest of hashes and a custody record."""
    with opened_runtime() as rt:
        result = export_hold(
            rt, console_actor(rt), hold_id=hold, evidence_number=evidence_number, destination=to
        )
    console.print(
        f"exported {result.read_count} reads and {result.image_count} images "
        f"to {result.destination}"
    )
    console.print(f"manifest SHA-256 (write it on the evidence label): {result.manifest_sha256}")


def verify(folder: Annotated[Path, typer.Argument(help="An export folder.")]) -> None:
    """Check an export against its manifest, and the manifest against the one on record."""
    with opened_runtime() as rt:
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
        console.print(
            f"on record: {r.kind} {r.id} ({r.label}) by {r.by}, {r.at.astimezone():%Y-%m-%d %H:%M}",
            highlight=False,
        )
    if not check.ok or check.record is None:
        raise typer.Exit(1)
    console.print(f"all {check.files_checked} files match the manifest")
