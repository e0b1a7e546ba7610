"""The layering rules of DESIGN.md and STYLE.md, checked on the source (an `ast` walk):

- no import circles between our modules (function-level imports count too);
- views do not query: objects come through access.py loaders, lists through services;
- services, the board and the models never import views, nor read the request or current_user;
- templates get their data from views: no template globals registered outside templating.py;
- a view module does not reach into another module's private helpers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "sprintboard"


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.relative_to(ROOT).parts:
            continue
        parts = ("sprintboard", *path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _imports(name: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names imported, line) for every import in the module, nested ones too."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, [], node.lineno) for a in node.names)
    return found


def _edges(name: str) -> set[str]:
    edges = set()
    for target, names, _line in _imports(name):
        for imported in names or [None]:
            submodule = f"{target}.{imported}" if imported else None
            edge = submodule if submodule in MODULES else target
            if edge in MODULES and edge != name:
                edges.add(edge)
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return result


def test_no_import_circles():
    graph = {name: _edges(name) for name in MODULES}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


QUERY_CALLS = {"get", "execute", "scalars", "scalar", "query"}


def _db_queries(tree) -> list[int]:
    """Lines calling db.session.<query>(…), db.select(…) or sqlalchemy's select(…)."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = ast.unparse(func.value)
            session_query = owner == "db.session" and func.attr in QUERY_CALLS
            if session_query or (owner == "db" and func.attr == "select"):
                lines.append(node.lineno)
        elif isinstance(func, ast.Name) and func.id == "select":
            lines.append(node.lineno)
    return lines


def test_the_query_finder_finds_queries():
    tree = ast.parse("db.session.get(User, 1)\nx = db.select(User)\ny = select(User)\ndb.session.commit()")
    assert _db_queries(tree) == [1, 2, 3]


# Read-only exceptions, each with its reason (none today).
VIEW_QUERY_ALLOWED: dict[str, str] = {}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("sprintboard.views.")))
def test_views_do_not_query(name):
    if name in VIEW_QUERY_ALLOWED:
        return
    lines = _db_queries(TREES[name])
    assert lines == [], f"{name} queries the database on lines {lines}: use an access.py loader or a service"


LOWER_LAYERS = ("sprintboard.services", "sprintboard.board", "sprintboard.models", "sprintboard.live")


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith(LOWER_LAYERS)))
def test_lower_layers_do_not_import_views_or_the_request(name):
    for target, names, line in _imports(name):
        assert not target.startswith("sprintboard.views"), f"{name}:{line} imports {target}"
        if target in ("flask", "flask_login"):
            assert "current_user" not in names, f"{name}:{line} reads current_user: take actor= instead"
            if not name.startswith("sprintboard.live"):  # live.hooks queues events per request
                assert "request" not in names, f"{name}:{line} reads the request: take plain values"


def test_template_globals_are_registered_in_templating_only():
    offenders = []
    for name, tree in TREES.items():
        if name == "sprintboard.templating":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in (
                "app_template_global",
                "template_global",
                "add_template_global",
                "context_processor",
                "app_context_processor",
            ):
                offenders.append(f"{name}:{node.lineno}")
            jinja_globals = isinstance(node, ast.Attribute) and node.attr == "globals"
            if jinja_globals and "jinja_env" in ast.unparse(node):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("sprintboard.views.")))
def test_views_use_no_private_helpers_of_other_modules(name):
    for target, names, line in _imports(name):
        if target.startswith("sprintboard"):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert private == [], f"{name}:{line} imports {private} from {target}"
