"""The house rules, checked on the code itself: where each import may point.

- Whoosh is imported only under ``vaultcrm/engine/whoosh/``: the engine interface
  (``engine/api.py``) is what the features use, so the index is replaceable.
- Arrows point down: cli > features > present > engine > store > model (``errors`` is
  everyone's), and the import graph has no cycle, lazy imports included.
- ``cli.py`` imports neither Whoosh nor Jinja2 (``--help`` starts fast), and only
  ``cli.py`` prints or exits.
- The assistant server (``mcp_server.py``) is an adapter beside ``cli.py``: it imports
  the library (features, present, model, store, errors), never the CLI; the library
  never imports it; only ``cli.py`` starts it, lazily; and only it imports the MCP SDK,
  so the core install stays small.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "vaultcrm"
LAYERS = {"model": 0, "store": 1, "engine": 2, "present": 3, "features": 4}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports, at its top or inside a function, absolute."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def test_only_the_whoosh_adapter_imports_whoosh() -> None:
    outside = {
        name
        for name, path in modules().items()
        if not name.startswith("vaultcrm.engine.whoosh")
        and any(i == "whoosh" or i.startswith("whoosh.") for i in imports_of(name, path))
    }
    assert outside == set()


def test_the_cli_imports_neither_whoosh_nor_jinja() -> None:
    imported = imports_of("vaultcrm.cli", PACKAGE / "cli.py")
    heavy = {i for i in imported if i.split(".")[0] in ("whoosh", "jinja2")}
    assert heavy == set()
    assert not any(i.startswith("vaultcrm.engine.whoosh") for i in imported)


def _layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 2 else None


def test_arrows_point_down_and_the_graph_has_no_cycle() -> None:
    found = modules()
    edges = {
        name: {i for i in imports_of(name, path) if i in found and i != name}
        for name, path in found.items()
    }
    upward = [
        (a, b)
        for a, targets in edges.items()
        for b in targets
        if _layer(a) is not None and _layer(b) is not None and _layer(b) > _layer(a)
    ]
    assert upward == []
    # Tarjan's strongly connected components: any of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in edges:
        if name not in index:
            visit(name)
    assert cycles == []


def test_only_the_cli_prints_or_exits() -> None:
    offenders = []
    for name, path in modules().items():
        if name == "vaultcrm.cli":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = (
                    func.id
                    if isinstance(func, ast.Name)
                    else f"{getattr(func.value, 'id', '')}.{func.attr}"
                    if isinstance(func, ast.Attribute)
                    else ""
                )
                if called in ("print", "sys.exit", "exit", "click.echo"):
                    offenders.append(f"{name}:{node.lineno} {called}")
    assert offenders == []


ADAPTERS = {"vaultcrm.cli", "vaultcrm.mcp_server"}
SDK = ("mcp", "mcp_types", "pydantic", "pydantic_core", "anyio", "typing_extensions")


def _top_level_imports(path: Path) -> set[str]:
    """The modules imported at the top of a file, not inside a function."""
    found: set[str] = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_assistant_server_is_an_adapter_beside_the_cli() -> None:
    found = modules()
    server = imports_of("vaultcrm.mcp_server", found["vaultcrm.mcp_server"])
    inside = {i for i in server if i in found}
    assert inside, "it is a thin layer over the library"
    assert not [i for i in inside if i in ADAPTERS or i.startswith("vaultcrm.engine.whoosh")]
    assert not [i for i in server if i.split(".")[0] in ("whoosh", "jinja2", "click")]
    importers = {n for n, path in found.items() if "vaultcrm.mcp_server" in imports_of(n, path)}
    assert importers == {"vaultcrm.cli"}
    assert not [i for i in _top_level_imports(PACKAGE / "cli.py") if "mcp" in i]  # lazily


def test_only_the_assistant_server_imports_the_mcp_sdk() -> None:
    users = {
        name
        for name, path in modules().items()
        if any(i.split(".")[0] in SDK for i in imports_of(name, path))
    }
    assert users == {"vaultcrm.mcp_server"}
