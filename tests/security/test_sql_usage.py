"""SQL goes through the ORM or bound parameters: no statement is built from values.

An ast scan of genxsop_core (migrations included) finds every raw-SQL sink, `text(...)`,
`literal_column(...)` and `.execute(...)` / `.exec_driver_sql(...)` with a string, and asks of its
SQL: is it a literal (or a module constant made of literals)? A statement assembled with an
f-string, `%` or `.format()`, or by adding strings that are not literals, must be in
BUILT_FROM_IDENTIFIERS with the reason no value can reach it. The Streamlit entry points do not
talk to the database at all: they call services.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import genxsop_core

ROOT = Path(genxsop_core.__file__).resolve().parents[1]
PACKAGE = ROOT / "genxsop_core"
TEXT_SINKS = {"text", "literal_column", "DDL"}  # sqlalchemy functions that take SQL as a string
EXECUTE_SINKS = {"execute", "exec_driver_sql", "executemany", "executescript"}

# (file under genxsop_core, enclosing function) -> why the SQL it builds holds no value
BUILT_FROM_IDENTIFIERS: dict[tuple[str, str], str] = {
    ("persistence/migrations/versions/0001_initial_schema_the_whole_domain.py", "_make_audit_log_append_only"):
        "SQLite trigger names and verbs from the literal tuple ('UPDATE', 'DELETE'): identifiers, never data",
}


@dataclass(frozen=True)
class Sink:
    file: str
    function: str
    line: int
    kind: str  # text | execute
    sql: str  # static | built | statement (an ORM/Core construct, no string at all)


def _is_str_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _assigned(scope: ast.AST, name: str) -> list[ast.AST]:
    """The values assigned to `name` in `scope` (a function, or the module for its constants)."""
    def targets(node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.Assign):
            return node.targets
        return [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []

    return [node.value for node in ast.walk(scope)
            if any(isinstance(t, ast.Name) and t.id == name for t in targets(node))]


def _kind_of_sql(node: ast.AST, function: ast.AST | None, module: ast.Module, depth: int = 0) -> str:
    """static: only literals; built: formatted or joined from something else; statement: not a string."""
    if depth > 5:
        return "built"
    if _is_str_constant(node):
        return "static"
    if isinstance(node, ast.JoinedStr):
        return "built" if any(isinstance(v, ast.FormattedValue) for v in node.values) else "static"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "built"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return "built"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = {_kind_of_sql(side, function, module, depth + 1) for side in (node.left, node.right)}
        return "static" if parts == {"static"} else "built"
    if isinstance(node, ast.Name):
        local = _assigned(function, node.id) if function is not None else []
        values = local or _assigned(module, node.id)
        kinds = {_kind_of_sql(v, function, module, depth + 1) for v in values}
        if "built" in kinds:
            return "built"
        return "static" if kinds == {"static"} else "statement"
    return "statement"


def _sink_kind(call: ast.Call) -> str | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name in TEXT_SINKS and (isinstance(func, ast.Name) or isinstance(func.value, ast.Name)
                               and func.value.id in ("sa", "sqlalchemy")):
        return "text"
    if name in EXECUTE_SINKS and isinstance(func, ast.Attribute):
        return "execute"
    return None


def scan(package: Path = PACKAGE) -> list[Sink]:
    sinks = []
    for path in sorted(package.rglob("*.py")):
        module = ast.parse(path.read_text(), str(path))
        functions = [n for n in ast.walk(module) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for call in (n for n in ast.walk(module) if isinstance(n, ast.Call)):
            kind = _sink_kind(call)
            if kind is None or not call.args:
                continue
            inside = [f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or f.lineno)]
            function = min(inside, key=lambda f: (f.end_lineno or f.lineno) - f.lineno) if inside else None
            sql = _kind_of_sql(call.args[0], function, module)
            if kind == "text" and sql == "statement":
                sql = "built"  # text() of something the scan cannot read: treat it as assembled
            sinks.append(Sink(str(path.relative_to(package)), function.name if function else "<module>",
                              call.lineno, kind, sql))
    return sinks


def test_no_sql_is_built_from_values():
    built = [s for s in scan() if s.sql == "built"]
    unexplained = [s for s in built if (s.file, s.function) not in BUILT_FROM_IDENTIFIERS]
    places = "; ".join(f"{s.file}:{s.line} in {s.function}" for s in unexplained)
    assert not unexplained, "SQL assembled from strings; use the ORM or bound parameters (text(...) with :name " \
                            f"and a params dict): {places}"


def test_the_allow_list_names_places_that_still_build_sql():
    built = {(s.file, s.function) for s in scan() if s.sql == "built"}
    stale = sorted(set(BUILT_FROM_IDENTIFIERS) - built)
    assert not stale, f"no longer builds SQL, drop from BUILT_FROM_IDENTIFIERS: {stale}"


def test_the_scan_sees_the_raw_sql_there_is():
    by_place = {(s.file, s.function): s.sql for s in scan()}
    assert by_place[("persistence/db.py", "_sqlite_pragmas")] == "static"  # cursor.execute("PRAGMA ...")
    # text(CONDITION)
    assert by_place[("persistence/migrations/versions/0004_one_plan_version_per_cycle.py", "upgrade")] == "static"
    # session.execute(select(...))
    assert by_place[("persistence/repositories/_common.py", "fingerprint")] == "statement"


def test_the_scan_flags_statements_built_from_values(tmp_path):
    (tmp_path / "bad.py").write_text(
        "import sqlalchemy as sa\n"
        "def by_name(session, name):\n"
        "    session.execute(sa.text(f\"SELECT * FROM product WHERE name = '{name}'\"))\n"
        "def by_sku(connection, sku):\n"
        "    query = \"SELECT * FROM product WHERE sku = '%s'\" % sku\n"
        "    connection.exec_driver_sql(query)\n"
        "def by_id(session, id):\n"
        "    session.execute(sa.text('SELECT * FROM product WHERE id = ' + str(id)))\n"
        "def bound(session, sku):\n"
        "    session.execute(sa.text('SELECT * FROM product WHERE sku = :sku'), {'sku': sku})\n")
    kinds = {s.function: s.sql for s in scan(tmp_path)}
    assert kinds == {"by_name": "built", "by_sku": "built", "by_id": "built", "bound": "static"}


def test_pages_and_the_app_shell_do_not_talk_sql():
    offenders = []
    for path in sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            imported = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] == "sqlalchemy" for name in imported):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in ("session", "exec_driver_sql"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"entry points call services, not the database: {offenders}"
