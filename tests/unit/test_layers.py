"""Only services/ and store/ touch the database: no interface has a path around the policy."""

import ast
from pathlib import Path

import platewarden

PACKAGE = Path(platewarden.__file__).parent
DATA_LAYERS = ("services", "store")
# What an interface may take from SQLAlchemy: the exceptions, to turn into messages.
SQLALCHEMY_ALLOWED = ("sqlalchemy.exc",)
# What the unit may take from store/: its private files (settings, not ALPR data).
UNIT_STORE_ALLOWED = ("platewarden.store.files",)


def _imports(path: Path) -> list[str]:
    """Return every module a file imports, with `from m import n` also as m.n."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _outside_data_layers() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in DATA_LAYERS
    ]


def _forbidden(module: str, area: str) -> bool:
    if module == "platewarden.store.schema" or module.startswith("platewarden.store.schema."):
        return True
    if module.split(".", maxsplit=1)[0] == "sqlalchemy":
        return not module.startswith(SQLALCHEMY_ALLOWED)
    if area == "unit" and module.startswith("platewarden.store"):
        return not module.startswith(UNIT_STORE_ALLOWED) and module != "platewarden.store"
    return False


def test_no_module_outside_services_and_store_imports_the_schema_or_query_builders() -> None:
    offenders = sorted(
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in _outside_data_layers()
        for module in _imports(path)
        if _forbidden(module, path.relative_to(PACKAGE).parts[0])
    )
    assert offenders == [], "move the query into a service (and store/)"


def test_the_scan_covers_the_interfaces_and_catches_a_query() -> None:
    areas = {path.relative_to(PACKAGE).parts[0] for path in _outside_data_layers()}
    assert {"unit", "cli", "api", "web"} <= areas
    assert _forbidden("sqlalchemy.select", "cli")
    assert _forbidden("platewarden.store.schema.reads", "web")
    assert _forbidden("platewarden.store.unit_queue", "unit")
    assert not _forbidden("sqlalchemy.exc.OperationalError", "cli")
