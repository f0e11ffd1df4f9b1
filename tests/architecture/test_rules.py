"""The rules of the house, read from the source (ast): a new violation fails and names its file and line.

1. genxsop_core knows nothing of Streamlit (no import of it anywhere, functions included).
2. Only the repositories (persistence/repositories/) and the read-side `views` modules build or run
   queries; infrastructure that must talk to the database itself is in QUERIES_ALLOWED, each with
   its reason.
3. Services never touch the session (`uow.session`): the repositories and the unit of work
   (`uow.flush()`, `uow.commit()`) have the methods they need.
4. domain/ is the bottom layer: it imports nothing else of genxsop_core.
5. No import cycles among genxsop_core modules: not at module level, and not through an import
   inside a function either (a lazy import that dodges a cycle is a cycle still).
6. persistence/ imports no planning area, except the wiring in PERSISTENCE_MAY_IMPORT.

Each rule has a self-test on a small package written to tmp_path, so no rule passes for want of
seeing anything.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import genxsop_core

PACKAGE = Path(genxsop_core.__file__).resolve().parent
NAME = "genxsop_core"

# sqlalchemy names that build a statement or a piece of one
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text", "func", "literal_column", "bindparam", "exists",
                  "union", "union_all", "case", "and_", "or_", "not_", "tuple_", "values", "lambda_stmt", "column",
                  "table", "DDL"}
# methods that run a statement (`.query` only on a session: a DataFrame has a `.query` too)
RUNS_A_STATEMENT = {"execute", "exec_driver_sql", "executemany", "executescript", "scalar", "scalars"}

# (path under genxsop_core, or a folder ending in "/"; enclosing function or None for all) -> why it may
QUERIES_ALLOWED: dict[tuple[str, str | None], str] = {
    ("persistence/db.py", None):
        "the engine itself: SQLite pragmas on each new connection, and the probe that the database answers "
        "(`select 1`, its size) which the health page runs before trusting any repository",
    ("persistence/migrate.py", None):
        "Alembic's own connection, and the PostgreSQL advisory lock that serialises replicas migrating at once",
    ("persistence/migrations/", None):
        "schema migrations run DDL and move data with Core statements of their revision's schema, "
        "which the repositories (written for the newest schema) cannot do",
    ("domain/models.py", None):
        "the schema, not a query: an expression in a unique index (`func.coalesce` of the backtest window)",
    ("persistence/backup.py", "_check_sqlite_backup"):
        "checks a backup file through sqlite3 before it replaces the live database: no engine or session "
        "is open on that file",
}

AREAS = ("forecasting", "demand", "plans", "supply", "inventory", "scenarios", "kpi", "cycle", "admin", "io", "demo",
         "cli", "bootstrap", "metrics", "__main__")
# (module under persistence, planning-area module it imports) -> why
PERSISTENCE_MAY_IMPORT: dict[tuple[str, str], str] = {
    ("genxsop_core.persistence.unit_of_work", "genxsop_core.admin.logs"):
        "the default bus writes a log line after each commit (`log_event`); the unit of work is where "
        "events are wired to their handlers",
}
# (module, module it imports inside a function) where that import closes a cycle -> why it must
LAZY_CYCLES_ALLOWED: dict[tuple[str, str], str] = {
    ("genxsop_core.forecasting.registry", "genxsop_core.forecasting.strategies"):
        "the plug-in registry: each strategy module registers its classes (`@register`) as it is imported, "
        "so the registry imports the package of built-in strategies when first asked, not when imported",
}


@dataclass(frozen=True)
class Module:
    name: str  # genxsop_core.persistence.db
    path: str  # persistence/db.py (under the package)
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.endswith("__init__.py")


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (a genxsop_core module when one is named, else the dotted name as written)
    line: int
    lazy: bool  # inside a function


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


@lru_cache(maxsize=32)
def modules(package: Path = PACKAGE, name: str = NAME) -> list[Module]:
    """Every module of the package, parsed once per test session (files do not change during it)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        parts = [name, *relative.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), relative.as_posix(), ast.parse(path.read_text(), str(path))))
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:`: they never run."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def _walk_with_scope(tree: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(tree):
        inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield child, in_function
        yield from _walk_with_scope(child, inside)


def imports(module: Module, known: set[str]) -> list[Import]:
    """Every import that runs, resolved: `from genxsop_core.kpi import formulas` imports the module
    genxsop_core.kpi.formulas; `from genxsop_core.kpi.formulas import KPIS` imports genxsop_core.kpi.formulas."""
    skipped = _type_checking_only(module.tree)
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    found = []
    for node, lazy in _walk_with_scope(module.tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [Import(module.name, a.name, node.lineno, lazy) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.append(Import(module.name, child if child in known else base, node.lineno, lazy))
    return found


def _enclosing_function(tree: ast.Module, line: int) -> str | None:
    inside = [f for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              and f.lineno <= line <= (f.end_lineno or f.lineno)]
    return min(inside, key=lambda f: (f.end_lineno or f.lineno) - f.lineno).name if inside else None


# --- rule 1: no Streamlit -------------------------------------------------------------------------

def streamlit_imports(package: Path = PACKAGE, name: str = NAME) -> list[Violation]:
    found = modules(package, name)
    known = {m.name for m in found}
    return [Violation(m.path, i.line, f"imports {i.target}") for m in found for i in imports(m, known)
            if i.target.split(".")[0] == "streamlit"]


def test_the_library_does_not_import_streamlit():
    offenders = streamlit_imports()
    assert not offenders, "genxsop_core knows nothing of Streamlit (the app calls it, not the other way " \
                          "round): " + "; ".join(map(str, offenders))


def test_the_streamlit_rule_sees_an_import_inside_a_function(tmp_path):
    (tmp_path / NAME / "kpi").mkdir(parents=True)
    (tmp_path / NAME / "kpi" / "views.py").write_text(
        "def chart():\n    import streamlit as st\n    st.write(1)\n")
    (tmp_path / NAME / "kpi" / "fine.py").write_text("import pandas\n")
    assert [str(v) for v in streamlit_imports(tmp_path / NAME)] == ["kpi/views.py:2: imports streamlit"]


# --- rule 2: queries are built by the repositories and the views -----------------------------------

def _may_query(path: str, function: str | None) -> bool:
    if path.startswith("persistence/repositories/") or (path.count("/") == 1 and path.endswith("/views.py")):
        return True
    return any(path.startswith(place) if place.endswith("/") else path == place and allowed in (None, function)
               for place, allowed in QUERIES_ALLOWED)


def _sqlalchemy_names(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Local names bound to sqlalchemy query builders (name -> builder), and to sqlalchemy modules."""
    builders, module_aliases = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            builders |= {a.asname or a.name: a.name for a in node.names if a.name in QUERY_BUILDERS}
        elif isinstance(node, ast.Import):
            module_aliases |= {a.asname or a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"}
    return builders, module_aliases


def _query_sites(module: Module) -> Iterator[tuple[int, str]]:
    builders, aliases = _sqlalchemy_names(module.tree)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in builders:
            yield node.lineno, f"`{builders[node.id]}`"
        elif isinstance(node, ast.Attribute) and node.attr in QUERY_BUILDERS \
                and ast.unparse(node.value) in aliases:
            yield node.lineno, f"`{ast.unparse(node)}`"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, ast.unparse(node.func.value)
            if method in RUNS_A_STATEMENT or method == "query" and receiver.endswith("session"):
                yield node.lineno, f"`{receiver}.{method}(...)`"


def query_sites(package: Path = PACKAGE, name: str = NAME) -> list[Violation]:
    """One violation per line (what it does there, in the order of the source)."""
    lines: dict[tuple[str, int], list[str]] = {}
    for m in modules(package, name):
        for line, what in sorted(_query_sites(m)):
            if not _may_query(m.path, _enclosing_function(m.tree, line)) and what not in lines.get((m.path, line), []):
                lines.setdefault((m.path, line), []).append(what)
    return [Violation(path, line, "builds or runs a query: " + ", ".join(whats))
            for (path, line), whats in sorted(lines.items())]


def test_only_repositories_and_views_build_queries():
    offenders = query_sites()
    assert not offenders, "queries belong in a repository method (persistence/repositories/) or a read-side " \
                          "views module; call that instead: " + "; ".join(map(str, offenders))


def test_the_allow_list_names_places_that_still_query():
    used = {(m.path, _enclosing_function(m.tree, line)) for m in modules() for line, _ in _query_sites(m)}
    stale = [place for place in QUERIES_ALLOWED
             if not any(path.startswith(place[0]) if place[0].endswith("/") else
                        path == place[0] and place[1] in (None, function) for path, function in used)]
    assert not stale, f"no longer queries, drop from QUERIES_ALLOWED: {stale}"


def test_the_query_rule_sees_builders_and_statements_outside_repositories(tmp_path):
    root = tmp_path / NAME
    for folder in ("admin", "persistence/repositories", "kpi"):
        (root / folder).mkdir(parents=True)
    (root / "admin" / "health.py").write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy import func as f, select\n"
        "def last(uow, frame):\n"
        "    frame.query('a > 1')\n"
        "    uow.session.scalar(select(f.max(1)))\n"
        "    return sa.text('select 1')\n")
    (root / "persistence" / "repositories" / "admin.py").write_text(
        "from sqlalchemy import select\ndef get(session):\n    return session.scalar(select(1))\n")
    (root / "kpi" / "views.py").write_text("from sqlalchemy import func\nSTAMP = func.count()\n")
    found = [str(v) for v in query_sites(root)]
    assert found == ["admin/health.py:5: builds or runs a query: `func`, `select`, `uow.session.scalar(...)`",
                     "admin/health.py:6: builds or runs a query: `sa.text`"]


# --- rule 3: services never touch the session ------------------------------------------------------

def session_uses(package: Path = PACKAGE, name: str = NAME) -> list[Violation]:
    return sorted((Violation(m.path, node.lineno, f"touches `{ast.unparse(node)}`")
                   for m in modules(package, name) if not m.path.startswith("persistence/")
                   for node in ast.walk(m.tree) if isinstance(node, ast.Attribute) and node.attr == "session"),
                  key=lambda v: (v.path, v.line))


def test_services_do_not_touch_the_session():
    offenders = session_uses()
    assert not offenders, "services call repository methods and uow.flush()/commit(), never the session: " + \
                          "; ".join(map(str, offenders))


def test_the_session_rule_sees_a_flush(tmp_path):
    (tmp_path / NAME / "cycle").mkdir(parents=True)
    (tmp_path / NAME / "persistence").mkdir(parents=True)
    (tmp_path / NAME / "cycle" / "workflow.py").write_text(
        "def decide(uow, decision):\n    uow.cycles.add(decision)\n    uow.session.flush()\n")
    (tmp_path / NAME / "persistence" / "unit_of_work.py").write_text(
        "class UnitOfWork:\n    def flush(self):\n        self.session.flush()\n")
    assert [str(v) for v in session_uses(tmp_path / NAME)] == ["cycle/workflow.py:3: touches `uow.session`"]


# --- rules 4 and 6: domain at the bottom, persistence under the planning areas ----------------------

def layer_breaches(package: Path = PACKAGE, name: str = NAME) -> list[Violation]:
    found = modules(package, name)
    known = {m.name for m in found}
    breaches = []
    for m in found:
        layer = m.name.split(".")[1] if m.name.count(".") else ""
        for i in imports(m, known):
            if not i.target.startswith(f"{name}.") and i.target != name:
                continue
            target = i.target.split(".")[1] if i.target.count(".") else ""
            if layer == "domain" and target != "domain":
                breaches.append(Violation(m.path, i.line, f"domain imports {i.target} (domain is the bottom layer)"))
            elif layer == "persistence" and target in AREAS \
                    and (m.name, i.target.replace(f"{name}.", "genxsop_core.", 1)) not in PERSISTENCE_MAY_IMPORT:
                breaches.append(Violation(m.path, i.line, f"persistence imports the planning area {i.target}"))
    return breaches


def test_domain_and_persistence_keep_to_their_layers():
    offenders = layer_breaches()
    assert not offenders, "domain imports only domain; persistence imports domain, config and itself: " + \
                          "; ".join(map(str, offenders))


def test_the_layer_rule_sees_a_model_reaching_up(tmp_path):
    root = tmp_path / NAME
    for folder in ("domain", "persistence", "admin"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "admin" / "logs.py").write_text("")
    (root / "domain" / "models.py").write_text(
        "from genxsop_core.domain import periods\n"
        "def stamp():\n    from genxsop_core.persistence.unit_of_work import UnitOfWork\n")
    (root / "persistence" / "unit_of_work.py").write_text("from genxsop_core.admin.logs import log_event\n")
    (root / "persistence" / "db.py").write_text("from genxsop_core.admin import logs\n")
    assert [str(v) for v in layer_breaches(root)] == [
        "domain/models.py:3: domain imports genxsop_core.persistence.unit_of_work (domain is the bottom layer)",
        "persistence/db.py:1: persistence imports the planning area genxsop_core.admin.logs"]


# --- rule 5: no import cycles ----------------------------------------------------------------------

def import_graph(package: Path = PACKAGE, name: str = NAME, lazy: bool = True,
                 allowed: frozenset[tuple[str, str]] = frozenset()) -> dict[str, dict[str, Import]]:
    """module -> {imported genxsop_core module: the import}, module-level imports (and lazy ones if asked).

    Importing a.b.c runs the packages a.b first: an import of a module outside the importer's own
    package is also an edge to that module's package (its __init__ may import things in turn)."""
    found = modules(package, name)
    known = {m.name for m in found}
    graph: dict[str, dict[str, Import]] = {m.name: {} for m in found}
    for m in found:
        for i in imports(m, known):
            if i.target not in known or (i.lazy and (not lazy or (m.name, i.target) in allowed)):
                continue
            parts = i.target.split(".")
            for depth in range(2, len(parts) + 1):
                target = ".".join(parts[:depth])
                if target in known and target != m.name and not m.name.startswith(f"{target}."):
                    graph[m.name].setdefault(target, i)
    return graph


def cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """One shortest cycle through each module that is on a cycle, as a chain [a, b, ..., a], without repeats."""
    found: dict[frozenset[tuple[str, str]], list[str]] = {}
    for start in sorted(graph):
        paths = {start: [start]}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for nxt in sorted(graph[node]):
                if nxt == start:
                    chain = [*paths[node], start]
                    found.setdefault(frozenset(pairwise(chain)), chain)
                    queue = []
                    break
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    queue.append(nxt)
    return sorted(found.values())


def _describe(chain: list[str], graph: dict[str, dict[str, Import]], package: str = NAME) -> str:
    steps = [f"{a} ({'lazy, ' if graph[a][b].lazy else ''}line {graph[a][b].line})" for a, b in pairwise(chain)]
    return " -> ".join([*steps, chain[-1]]).replace(f"{package}.", "")


def test_there_are_no_import_cycles_at_module_level():
    graph = import_graph(lazy=False)
    found = cycles(graph)
    assert not found, "import cycles: " + "; ".join(_describe(c, graph) for c in found)


def test_no_import_inside_a_function_dodges_a_cycle():
    graph = import_graph(lazy=True, allowed=frozenset(LAZY_CYCLES_ALLOWED))
    found = cycles(graph)
    assert not found, "import cycles through imports inside functions (move what both need lower down): " + \
                      "; ".join(_describe(c, graph) for c in found)


def test_the_allowed_lazy_imports_still_close_a_cycle():
    module_level = import_graph(lazy=False)
    with_lazy = import_graph(lazy=True)
    stale = [pair for pair in LAZY_CYCLES_ALLOWED
             if pair[1] not in with_lazy[pair[0]] or not with_lazy[pair[0]][pair[1]].lazy
             or not any(pair[0] in chain for chain in cycles({**module_level, pair[0]: {
                 **module_level[pair[0]], pair[1]: with_lazy[pair[0]][pair[1]]}}))]
    assert not stale, f"no longer a lazy import closing a cycle, drop from LAZY_CYCLES_ALLOWED: {stale}"


def test_the_cycle_rule_sees_a_cycle_through_a_lazy_import_and_a_package(tmp_path):
    root = tmp_path / NAME
    for folder in ("demand", "kpi"):
        (root / folder).mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "demand" / "__init__.py").write_text("from genxsop_core.demand.views import Node\n")
    (root / "demand" / "views.py").write_text("def node():\n    from genxsop_core.kpi import views\n")
    (root / "kpi" / "__init__.py").write_text("")
    (root / "kpi" / "views.py").write_text("from typing import TYPE_CHECKING\n"
                                           "if TYPE_CHECKING:\n    from genxsop_core import metrics\n"
                                           "from genxsop_core.demand.accuracy import wape\n")
    (root / "demand" / "accuracy.py").write_text("")
    (root / "metrics.py").write_text("from genxsop_core.kpi import views\n")
    graph = import_graph(root, lazy=True)
    assert [_describe(c, graph) for c in cycles(graph)] == [
        "demand (line 1) -> demand.views (lazy, line 2) -> kpi.views (line 4) -> demand",
    ]
    assert cycles(import_graph(root, lazy=False)) == []
