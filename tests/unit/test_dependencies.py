"""Everything the package imports is installed by `pip install .`, not only by the test extra."""

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

import platewarden

PACKAGE = Path(platewarden.__file__).parent
PYPROJECT = PACKAGE.parents[1] / "pyproject.toml"


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string."""
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _installed_with(names: set[str]) -> set[str]:
    """The distributions these install, themselves included (their runtime requirements)."""
    found, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        try:
            needs = requires(name) or []
        except PackageNotFoundError:  # a requirement for another Python version: not installed
            continue
        found.add(name)
        for requirement in needs:
            if "extra ==" not in requirement:
                todo.append(_name(requirement))
    return found


def _imported_roots() -> set[str]:
    roots = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
    return roots - set(sys.stdlib_module_names) - {"platewarden"}


def test_every_imported_library_comes_with_the_runtime_dependencies() -> None:
    declared = {_name(r) for r in tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]}
    installed = _installed_with(declared)
    owners = packages_distributions()
    missing = sorted(
        root
        for root in _imported_roots()
        if not {d.lower().replace("_", "-") for d in owners.get(root, [root])} & installed
    )
    assert missing == [], "imported by the package but only installed by the test extra"
