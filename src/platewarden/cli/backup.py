"""`platewarden backup` and `platewarden restore`: a copy of the running system, and a new one."""

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from platewarden.cli.context import cli_errors, console, console_actor, errors, opened_runtime
from platewarden.services.backup import back_up, restore_backup, verify_backup
from platewarden.settings import get_settings

KEYS_WARNING = (
    "the keys are in {keys}: store them apart from the backup (another medium, a safe). "
    "Whoever holds the backup and master.key reads every image; without master.key no image "
    "can be read."
)


def _keys_beside(folder: Path) -> Path:
    return folder.parent / f"{folder.name}-keys"


def backup(
    to: Annotated[Path, typer.Option("--to", help="A new or empty folder for the backup.")],
    keys_to: Annotated[
        Path | None,
        typer.Option(
            "--keys-to", help="A new or empty folder for master.key and service.key [TO-keys]."
        ),
    ] = None,
) -> None:
    """Copy the database, the encrypted images and, apart, the keys, while the system runs."""
    with opened_runtime() as rt:
        done = back_up(
            rt, console_actor(rt), destination=to, keys_destination=keys_to or _keys_beside(to)
        )
    console.print(
        f"backup in {done.destination}: the {done.database} database and {done.images} images; "
        f"manifest sha256 {done.manifest_sha256}",
        highlight=False,
        markup=False,
    )
    errors.print(
        f"[yellow]warning:[/yellow] {escape(KEYS_WARNING.format(keys=done.keys_destination))}",
        highlight=False,
    )


def restore(
    from_: Annotated[Path, typer.Option("--from", help="The backup folder.")],
    keys_from: Annotated[
        Path | None,
        typer.Option("--keys-from", help="The folder of the backup's keys [FROM-keys]."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only check the backup against its manifest.")
    ] = False,
) -> None:
    """Make a new installation in the settings' empty data folder from a backup."""
    keys = keys_from or _keys_beside(from_)
    with cli_errors():
        if check:
            _check(from_, keys)
            return
        done = restore_backup(
            get_settings(), source=from_, keys_source=keys, by=f"{getpass.getuser()}@console"
        )
    console.print(
        f"restored into {done.data_dir}: the {done.database} database and {done.images} images; "
        f"one image of each of {done.days_checked} days read back. Members log on again.",
        highlight=False,
        markup=False,
    )


def _check(source: Path, keys: Path) -> None:
    result = verify_backup(source, keys)
    for what, paths in (
        ("changed", result.changed),
        ("missing", result.missing),
        ("not in the manifest", result.unexpected),
    ):
        for path in paths:
            errors.print(f"{what}: {escape(path)}", highlight=False)
    if not result.ok:
        raise typer.Exit(1)
    console.print(
        f"backup of the {result.database} database matches its manifest "
        f"(sha256 {result.manifest_sha256})",
        highlight=False,
    )
