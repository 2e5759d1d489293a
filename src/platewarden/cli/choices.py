"""Options whose --help names the valid values: the purposes of use and the training courses.

--help is written before any database is opened, so it names the packaged policy's values
(policy/default_policy.toml, a small file read once); an installation that applied its own
policy may differ, and `platewarden policy show` prints the one in force.
"""

from typing import Annotated

import typer

from platewarden.policy.model import load_policy

_PACKAGED = load_policy()
PURPOSES = ", ".join(p.code for p in _PACKAGED.purposes)
COURSES = ", ".join(sorted(set(_PACKAGED.training.courses.values())))
IN_FORCE = "(packaged policy; see `policy show`)"

Purpose = Annotated[str, typer.Option(help=f"The purpose of use, one of: {PURPOSES} {IN_FORCE}.")]
PurposeOrLaw = Annotated[
    str,
    typer.Option(help=f"The purpose of use, one of: {PURPOSES}, or other_lawful {IN_FORCE}."),
]
PurposeFilter = Annotated[
    str | None, typer.Option("--purpose", help=f"Only this purpose of use: {PURPOSES}.")
]
Course = Annotated[str, typer.Option(help=f"The course, one of: {COURSES} {IN_FORCE}.")]
