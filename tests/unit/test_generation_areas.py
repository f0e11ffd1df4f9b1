"""Every event a writer publishes maps to the areas of data it touches, so no write can leave a
shared page cache keyed on the old generations (domain.generations)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import genxsop_core
from genxsop_core.domain.events import DataImported, Event, RecordChanged
from genxsop_core.domain.generations import (
    ENTITY_AREAS,
    EVERY_AREA,
    IMPORT_AREAS,
    NO_AREA,
    DataArea,
    areas_touched,
)
from genxsop_core.io.formats import FORMATS

PACKAGE = Path(genxsop_core.__file__).resolve().parent
# The one writer whose import kind is a variable: apply_import, after get_format refused unknown kinds.
KIND_FROM_FORMATS = "io/importer.py"


def _published(event_class: str, keyword: str) -> list[tuple[str, int, ast.expr | None]]:
    """(file, line, the keyword's expression) of every `event_class(...)` call in genxsop_core."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
            if name == event_class:
                value = next((k.value for k in call.keywords if k.arg == keyword), None)
                found.append((str(path.relative_to(PACKAGE)), call.lineno, value))
    return found


def _value(file: str, expression: ast.expr) -> object:
    """A literal, or an enum member such as `Entity.PLAN_VERSION`, read in the module that wrote it."""
    if isinstance(expression, ast.Constant):
        return expression.value
    module = importlib.import_module("genxsop_core." + file.removesuffix(".py").replace("/", "."))
    return eval(compile(ast.Expression(expression), file, "eval"), vars(module))  # noqa: S307 - our own source


def test_the_scan_finds_the_writers_there_are():
    files = {file for file, _, _ in _published("RecordChanged", "entity")}
    assert {"demand/plans.py", "supply/plans.py", "kpi/targets.py", "forecasting/runs.py",
            "persistence/backup.py"} <= files
    assert [file for file, _, _ in _published("DataImported", "kind")] == [KIND_FROM_FORMATS]


def test_every_published_entity_has_its_areas():
    unknown = []
    for file, line, expression in _published("RecordChanged", "entity"):
        assert expression is not None and isinstance(expression, (ast.Constant, ast.Attribute)), \
            f"{file}:{line}: publish RecordChanged with entity= a literal or an enum member, so this test can read it"
        entity = _value(file, expression)
        if entity not in ENTITY_AREAS:
            unknown.append(f"{file}:{line} {entity!r}")
    assert not unknown, "entities missing from domain.generations.ENTITY_AREAS: " + ", ".join(unknown)


def test_every_import_kind_has_its_areas():
    assert set(FORMATS) <= set(IMPORT_AREAS), set(FORMATS) - set(IMPORT_AREAS)
    for file, line, expression in _published("DataImported", "kind"):
        if file != KIND_FROM_FORMATS:
            assert isinstance(expression, (ast.Constant, ast.Attribute)), f"{file}:{line}: kind= not readable"
            assert _value(file, expression) in IMPORT_AREAS, f"{file}:{line}"


def test_what_each_event_touches():
    def imported(kind: str, inserted: int = 1, updated: int = 0) -> DataImported:
        return DataImported("ann", kind=kind, file="x.csv", inserted=inserted, updated=updated, unchanged=0)

    assert areas_touched(imported("products")) == {DataArea.MASTER_DATA}
    assert areas_touched(imported("inventory", 0, 3)) == {DataArea.STOCK}
    assert areas_touched(imported("routings")) == {DataArea.CAPACITY}
    assert areas_touched(imported("demand", 0, 0)) == NO_AREA  # the same file again changes nothing
    assert areas_touched(RecordChanged("ann", action="approve", entity="plan_version", key="3")) == {DataArea.PLANS}
    assert areas_touched(RecordChanged("ann", action="sign_off", entity="sop_cycle", key="2026-03")) == NO_AREA
    assert areas_touched(RecordChanged("ann", action="restore", entity="database", key="b.db")) == EVERY_AREA
    assert areas_touched(Event("ann")) == NO_AREA


def test_a_writer_the_mapping_does_not_know_touches_every_area():
    """Stale figures are worse than a recomputation: an unmapped entity or kind throws every cache away."""
    assert areas_touched(RecordChanged("ann", action="create", entity="warehouse", key="W1")) == EVERY_AREA
    assert areas_touched(DataImported("ann", kind="prices", file="p.csv", inserted=1, updated=0,
                                      unchanged=0)) == EVERY_AREA
