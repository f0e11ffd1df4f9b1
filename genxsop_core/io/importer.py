"""Import services: a whole file is validated, then upserted by natural key in one transaction.

Nothing is written unless every row is valid. Importing the same file twice changes
nothing the second time (rows are matched on their natural key and only changed values are
written). Each import leaves one audit record holding the before and after of every row.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from genxsop_core.config import load_settings
from genxsop_core.domain.events import DataImported, jsonable
from genxsop_core.domain.exceptions import ValidationFailed, ValidationIssue
from genxsop_core.domain.models import DEMO_IMPORTED_ORIGIN, DEMO_ORIGIN, PlanVersion, utcnow
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import PlanKind, PlanStatus
from genxsop_core.io.formats import get_format
from genxsop_core.io.readers import normalise_header, read_table
from genxsop_core.io.tables import BINDINGS, TableBinding
from genxsop_core.io.validation import References, ValidationReport, validate
from genxsop_core.persistence.unit_of_work import UnitOfWork

WORKING_SUPPLY_PLAN = "Working supply plan"


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file: str
    rows: int
    inserted: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        return (f"{self.file}: {self.rows} rows of {get_format(self.kind).title.lower()} - "
                f"{self.inserted} new, {self.updated} updated, {self.unchanged} unchanged")


def _references(uow: UnitOfWork) -> References:
    return References(skus=set(uow.products.ids_by_sku()), resources=set(uow.resources.ids_by_code()))


def check_file(uow: UnitOfWork, kind: str, filename: str, content: bytes) -> ValidationReport:
    """Read and validate without writing: the Data page's preview. Raises for unreadable files."""
    fmt = get_format(kind)
    raw = read_table(filename, content)
    with uow:
        refs = _references(uow)
    return validate(fmt, raw, filename, load_settings().bucket, refs)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _records(binding: TableBinding, frame: pd.DataFrame, uow: UnitOfWork) -> list[dict[str, Any]]:
    maps = {"product_id": uow.products.ids_by_sku, "resource_id": uow.resources.ids_by_code}
    records = pd.DataFrame({field: frame[col] for col, field in binding.fields.items()})
    for col, field in binding.lookups.items():
        records[field] = frame[col].map(maps[field]())
    return records.astype(object).where(records.notna(), None).to_dict("records")


def _scope(uow: UnitOfWork, actor: Actor, kind: str, origin: str | None) -> dict[str, Any]:
    """Supply plans are versioned: an import goes into the working (draft) supply version."""
    if kind != "supply":
        return {}
    version = uow.plans.latest_working(PlanKind.SUPPLY)
    if version is None:
        version = PlanVersion(kind=PlanKind.SUPPLY, name=WORKING_SUPPLY_PLAN, status=PlanStatus.DRAFT,
                              created_by=actor.username, origin=origin)
        uow.plans.add(version)
        uow.flush()
    return {"plan_version_id": version.id}


def _upsert(uow: UnitOfWork, binding: TableBinding, records: list[dict[str, Any]], scope: dict[str, Any],
            origin: str | None) -> tuple[int, int, int, list[dict[str, Any]]]:
    """Insert new keys (marked with `origin`), update changed ones; a demo row that a real import
    changes is marked DEMO_IMPORTED_ORIGIN, so go-live knows it now carries real data."""
    fields = [f for f in records[0] if f not in binding.key]
    versioned = hasattr(binding.model, "row_version")
    marked = hasattr(binding.model, "origin")
    existing = uow.tables.existing_by_key(binding.model, binding.key,
                                          fields + ["row_version"] * versioned + ["origin"] * marked,
                                          scope, [r[binding.key[0]] for r in records])
    inserts, updates, changes = [], [], []
    unchanged = 0
    for record in records:
        key = tuple(record[k] for k in binding.key)
        current = existing.get(key)
        if current is None:
            inserts.append({**record, **scope, **({"origin": origin} if marked else {})})
            changes.append({"before": None, "after": {k: jsonable(v) for k, v in record.items()}})
            continue
        changed = {f: record[f] for f in fields if not _same(current[f], record[f])}
        if not changed:
            unchanged += 1
            continue
        update = {"id": current["id"], **changed}
        if marked and origin is None and current["origin"] == DEMO_ORIGIN:
            update["origin"] = DEMO_IMPORTED_ORIGIN
        if versioned:
            update.update(row_version=current["row_version"] + 1, updated_at=utcnow())
        updates.append(update)
        keys = {k: jsonable(record[k]) for k in binding.key}
        changes.append({"before": {**keys, **{f: jsonable(current[f]) for f in changed}},
                        "after": {**keys, **{f: jsonable(v) for f, v in changed.items()}}})
    uow.tables.insert_many(binding.model, inserts)
    _update_grouped(uow, binding, updates)
    return len(inserts), len(updates), unchanged, changes


def _update_grouped(uow: UnitOfWork, binding: TableBinding, updates: list[dict[str, Any]]) -> None:
    """Executemany needs the same columns in every row: group updates by changed columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for update in updates:
        groups.setdefault(tuple(sorted(update)), []).append(update)
    for rows in groups.values():
        uow.tables.update_many(binding.model, rows)


def apply_import(uow: UnitOfWork, actor: Actor, kind: str, frame: pd.DataFrame, filename: str,
                 origin: str | None = None) -> ImportResult:
    """Validate `frame` (raw cells) and upsert it inside the caller's open unit of work (no commit).
    `origin` marks the rows it inserts: DEMO_ORIGIN when the demo seeds, None for real data."""
    require(actor, f"import.{kind}")
    fmt = get_format(kind)
    report = validate(fmt, frame, filename, load_settings().bucket, _references(uow))
    if not report.ok:
        raise ValidationFailed(report.issues)
    binding = BINDINGS[kind]
    records = _records(binding, report.frame, uow)
    inserted, updated, unchanged, changes = _upsert(uow, binding, records, _scope(uow, actor, kind, origin),
                                                     origin)
    uow.publish(DataImported(actor.username, kind=kind, file=filename, inserted=inserted, updated=updated,
                             unchanged=unchanged, changes=changes))
    return ImportResult(kind, filename, len(records), inserted, updated, unchanged)


def import_file(uow: UnitOfWork, actor: Actor, kind: str, filename: str, content: bytes) -> ImportResult:
    """The import use case: permission, read, validate, upsert, audit - all or nothing."""
    require(actor, f"import.{get_format(kind).kind}")
    raw = read_table(filename, content)
    with uow:
        result = apply_import(uow, actor, kind, raw, filename)
        uow.flush()
        uow.commit()
    return result


def import_rows(uow: UnitOfWork, actor: Actor, kind: str, rows: list[dict[str, Any]], source: str) -> ImportResult:
    """The import use case for rows sent as data (the integration API) rather than a file: the same
    permission, validation, upsert and audit, all or nothing. `source` names them where a file name
    would stand. A problem's row is the row's position in `rows`, counted from 1; a problem with a
    column name (unknown, missing) has none."""
    require(actor, f"import.{get_format(kind).kind}")
    raw = pd.DataFrame.from_records(rows)
    raw.columns = [normalise_header(c) for c in raw.columns]
    raw.index = pd.RangeIndex(2, len(raw) + 2, name="row")  # numbered as read_table numbers a file's rows
    try:
        with uow:
            result = apply_import(uow, actor, kind, raw, source)
            uow.flush()
            uow.commit()
    except ValidationFailed as failed:
        raise ValidationFailed([ValidationIssue(i.file, i.row - 1 if i.row and i.row > 1 else None, i.column,
                                                i.message) for i in failed.issues]) from None
    return result
