"""The package's imports run one way (issue 26): no module of ``confluence_sync`` imports, at
run time, a module that imports it back, however far round; and inside the converter the core
imports no extension.

Imports are read from the source with ``ast``, function-level ones included (a lazy import is
still an arrow). Imports under ``if TYPE_CHECKING:`` are left out: they name types for mypy and
never run. A package counts as its ``__init__`` module, and ``from package import name`` as an
import of the submodule ``name`` when there is one.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "confluence_sync"
CONVERT = f"{PACKAGE}.convert"
EXTENSIONS = f"{CONVERT}.extensions"
# The converter's assembly: the modules that put the core and the extensions together.
ASSEMBLY = {CONVERT, f"{CONVERT}.parser", f"{CONVERT}.chunks"}

Graph = dict[str, set[str]]


def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name → source file, for every module of ``package`` under ``root``."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth, skipping ``if TYPE_CHECKING:``
    bodies (their ``else`` runs)."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                pending.extend(child.orelse)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                yield child
            else:
                pending.append(child)


def _targets(name: str, statement: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The package's modules one import statement of module ``name`` loads."""
    if isinstance(statement, ast.Import):
        return {alias.name for alias in statement.names if alias.name in known}
    base = statement.module or ""
    if statement.level:
        package = name.split(".") if name in _packages(known) else name.split(".")[:-1]
        package = package[: len(package) - statement.level + 1]
        base = ".".join([*package, *([statement.module] if statement.module else [])])
    found = set()
    for alias in statement.names:
        if f"{base}.{alias.name}" in known:
            found.add(f"{base}.{alias.name}")
        elif base in known:
            found.add(base)
    return found


def _packages(known: set[str]) -> set[str]:
    return {name.rpartition(".")[0] for name in known}


def import_graph(root: Path, package: str) -> Graph:
    """Module → the package's modules it imports at run time."""
    files = modules(root, package)
    known = set(files)
    graph: Graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = set()
        for statement in _runtime_imports(tree):
            graph[name] |= _targets(name, statement, known) - {name}
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (as a path back to its first module) per strongly connected group of modules."""
    found = []
    for group in _strong_components(graph):
        start = min(group)
        found.append(_path_back(graph, start, group))
    return sorted(found)


def _strong_components(graph: Graph) -> list[set[str]]:
    """Tarjan's algorithm; only groups of more than one module (self-imports were dropped)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _path_back(graph: Graph, start: str, group: set[str]) -> list[str]:
    """The shortest import path from ``start`` back to itself inside ``group``."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph[node] & group):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"{start} is in a group without a cycle back to it")


@pytest.fixture(scope="module")
def package_graph() -> Graph:
    return import_graph(ROOT, PACKAGE)


def test_no_module_of_the_package_imports_itself_back(package_graph: Graph) -> None:
    found = cycles(package_graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_converter_core_imports_no_extension(package_graph: Graph) -> None:
    """The core receives its extensions as a list (``parser.EXTENSIONS``); only the assembly
    modules put the two together."""
    graph = package_graph
    core = {m for m in graph if m.startswith(CONVERT) and not m.startswith(EXTENSIONS)}
    leaks = {
        (module, target)
        for module in core - ASSEMBLY
        for target in graph[module]
        if target.startswith(EXTENSIONS)
    }
    assert not leaks


def test_an_extension_imports_no_other_extension(package_graph: Graph) -> None:
    """An extension reaches another construct through the render context, never by import;
    it may import its own helper modules (those without an ``EXTENSION``)."""
    graph = package_graph
    files = modules(ROOT, PACKAGE)
    families = {
        name
        for name, path in files.items()
        if name.startswith(EXTENSIONS + ".") and "\nEXTENSION = " in path.read_text("utf-8")
    }
    assert len(families) >= 7  # tables, tasks, footnotes, panels, links, raw HTML, extras
    crossing = {(m, t) for m in families for t in graph[m] if t in families}
    assert not crossing


@pytest.mark.parametrize(
    ("statement", "cyclic"),
    [
        ("from pkg.b import thing", True),
        ("def late() -> None:\n    from pkg import b", True),
        ("from . import b", True),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import thing", False),
        (
            "import typing\nif typing.TYPE_CHECKING:\n    import pkg.b\nelse:\n    import pkg.c",
            False,
        ),
        ("import pkg.c", False),
    ],
)
def test_the_check_sees_every_runtime_import(tmp_path: Path, statement: str, cyclic: bool) -> None:
    """The detector itself, on a package where ``b`` imports ``a``: whether ``a``'s import of
    ``b`` (at top level, in a function, relative, or only for type checking) closes a cycle."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(statement + "\n")
    (package / "b.py").write_text("from pkg.a import x\nthing = 1\n")
    (package / "c.py").write_text("")
    found = cycles(import_graph(tmp_path, "pkg"))
    assert found == ([["pkg.a", "pkg.b", "pkg.a"]] if cyclic else [])
