"""The import graph is the architecture: no cycle between engagement modules, and arrows point one way
(api -> services -> models/moderation -> extensions). Parsed with ast, so nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "engagement"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: the module body, including if/try blocks, not functions."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                pending.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            pending.extend(node.body)
    return found


def _import_graph() -> dict[str, set[str]]:
    """Module -> the modules (engagement's, and flask.request) its top-level imports name."""
    sources = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in sources.items():
        targets: set[str] = set()
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                # `from engagement.models import users` names the submodule; `import Comment` the package.
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in sources else base)
        graph[module] = {t for t in targets if t.startswith("engagement") or t == "flask.request"}
    return graph


GRAPH = _import_graph()


def _layer(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


def test_no_import_cycle():
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(GRAPH.get(module, ())):
            if state.get(target) == "open":
                raise AssertionError("import cycle: " + " -> ".join([*stack[stack.index(target):], target]))
            if target in GRAPH and target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


# Which layer must never import which: the arrows of STYLE.md, read backwards.
FORBIDDEN = [
    ("engagement.moderation", ("engagement.services", "engagement.api", "engagement.jobs", "engagement.cli",
                               "engagement.models")),
    ("engagement.models", ("engagement.services", "engagement.api", "engagement.moderation", "engagement.auth",
                           "engagement.jobs", "engagement.cli", "flask.request")),
    ("engagement.services", ("engagement.api", "engagement.jobs", "engagement.cli")),
    ("engagement.extensions", ("engagement.models", "engagement.services", "engagement.api", "engagement.auth",
                               "engagement.moderation")),
]


@pytest.mark.parametrize(("layer", "forbidden"), FORBIDDEN, ids=[layer for layer, _ in FORBIDDEN])
def test_layers_import_downwards(layer, forbidden):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module, layer)
        for target in targets
        if any(_layer(target, banned) for banned in forbidden)
    )
    assert not wrong, wrong


def test_the_graph_is_read():
    # Guards the test itself: a parser that found nothing would pass every check above.
    assert "engagement.extensions" in GRAPH["engagement.models.users"]
    assert "engagement.services.statuses" in GRAPH["engagement.services.comments"]


def test_runtime_moderation_never_imports_the_offline_tools():
    training = "engagement.moderation.training"
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module, "engagement.moderation") and not _layer(module, training)
        for target in targets
        if _layer(target, training) and not (module == "engagement.moderation" and target == training)
    )
    assert not wrong, wrong


@pytest.mark.parametrize("module", ["engagement.config", "engagement.vocabulary"])
def test_bottom_modules_import_nothing_of_engagement(module):
    assert not {t for t in GRAPH[module] if t.startswith("engagement")}


def test_services_never_commit():
    # The request, the job or the command that runs a service owns the transaction (STYLE.md, convention 2).
    calls = sorted(
        f"{path.name}:{node.lineno} {node.func.attr}()"
        for path in (PACKAGE / "services").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("commit", "rollback")
    )
    assert not calls, calls
