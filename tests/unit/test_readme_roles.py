"""The README's table of roles is the permission table itself, so the two cannot drift apart.

Regenerate the table after changing PERMISSIONS: `.venv/bin/python -m tests.unit.test_readme_roles`.
"""

import re
from pathlib import Path

from platewarden.policy.access import PERMISSIONS, Action

README = Path(__file__).parents[2] / "README.md"
BEGIN = "<!-- roles: generated from PERMISSIONS (src/platewarden/policy/access.py) -->"
END = "<!-- /roles -->"
BLOCK = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.DOTALL)


def roles_table() -> str:
    """Render the permission table: one row per action, one column per role."""
    roles = list(PERMISSIONS)
    lines = [
        "| may | " + " | ".join(role.value.replace("_", " ") for role in roles) + " |",
        "| --- |" + " :-: |" * len(roles),
    ]
    for action in Action:
        marks = ("✓" if action in PERMISSIONS[role] else "" for role in roles)
        lines.append(f"| {action.value.replace('_', ' ')} | " + " | ".join(marks) + " |")
    return "\n".join([BEGIN, *lines, END])


def test_the_readme_shows_exactly_the_permission_table() -> None:
    found = BLOCK.search(README.read_text(encoding="utf-8"))
    assert found is not None, f"README.md lacks the block {BEGIN} … {END}"
    assert found.group(0) == roles_table(), (
        "README.md's table of roles differs from PERMISSIONS: run "
        "`.venv/bin/python -m tests.unit.test_readme_roles` to write it again"
    )


def test_every_action_is_granted_to_some_role() -> None:
    assert [a for a in Action if not any(a in acts for acts in PERMISSIONS.values())] == []


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        raise SystemExit(f"README.md lacks the block {BEGIN} … {END}: add the two lines first")
    README.write_text(BLOCK.sub(lambda _: roles_table(), text), encoding="utf-8")
    print("README.md: table of roles written from PERMISSIONS")
