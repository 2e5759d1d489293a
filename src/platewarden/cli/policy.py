"""`platewarden policy`: the policy in force, its history, and applying a new version."""

from pathlib import Path
from typing import Annotated

import typer

from platewarden.cli.context import console, console_actor, opened_runtime
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import show_time
from platewarden.policy.model import read_policy_text
from platewarden.services import policies

app = typer.Typer(
    help="The ALPR policy in force: kept in the database, changed only by an administrator.",
    no_args_is_help=True,
)


@app.command("show")
def show(as_json: JsonFlag = False) -> None:
    """Print the policy in force, with its version and hash."""
    with opened_runtime() as rt:
        current = policies.current_policy(rt, console_actor(rt))
    if as_json:
        print_json([current])
        return
    console.print(
        f"# policy version {current.version}, sha256 {current.sha256}\n"
        f"# applied {show_time(current.applied_at, rt.settings.zone)} by {current.applied_by}: "
        f"{current.reason}",
        highlight=False,
        markup=False,
    )
    console.print(current.content, highlight=False, markup=False, soft_wrap=True)


@app.command("history")
def history(as_json: JsonFlag = False) -> None:
    """List every version of the policy, the newest first."""
    with opened_runtime() as rt:
        versions = policies.policy_history(rt, console_actor(rt))
    if as_json:
        print_json(versions)
        return
    table = new_table("version", "applied", "by", "sha256", "source", "reason", times={"applied"})
    for v in versions:
        table.add_row(
            str(v.version),
            show_time(v.applied_at, rt.settings.zone),
            v.applied_by,
            v.sha256[:16],
            v.source,
            v.reason,
        )
    console.print(table)


@app.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(help="The new policy file (TOML).")],
    reason: Annotated[str, typer.Option(help="Why the policy changes (kept on record).")],
    yes: Annotated[bool, typer.Option("--yes", help="Apply without asking.")] = False,
) -> None:
    """Check a policy file, show how it differs from the one in force, and put it in force."""
    with opened_runtime() as rt:
        actor = console_actor(rt)
        text = read_policy_text(file)
        preview = policies.preview_policy(rt, actor, text, source=str(file))
        console.print(f"changes against version {preview.in_force} in force:", highlight=False)
        for change in preview.changes or ("(none)",):
            console.print(f"  {change}", highlight=False, markup=False)
        if preview.changes and not yes and not typer.confirm("put this policy in force?"):
            raise typer.Exit(1)
        version = policies.apply_policy(
            rt,
            actor,
            text,
            source=str(file.resolve()),
            reason=reason,
            expected_version=preview.in_force,
        )
    console.print(
        f"policy version {version.version} in force (sha256 {version.sha256})", highlight=False
    )
