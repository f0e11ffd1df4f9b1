"""Whole tables for the importers and exporters."""
from __future__ import annotations

from typing import Any, cast

import pandas as pd
from sqlalchemy import Select, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    Base,
    Product,
    Resource,
)
from genxsop_core.persistence.repositories._common import (
    _chunks,
    fingerprint,
)
from genxsop_core.persistence.repositories.demo_data import DemoDataRepository

# id field -> the table it points at, its id and the code a file names that row by
_CODES: dict[str, tuple[type[Base], Any, Any]] = {"product_id": (Product, Product.id, Product.sku),
                                                 "resource_id": (Resource, Resource.id, Resource.code)}


def _table(model: type[Base]) -> Table:
    """The Table a model maps: Core INSERT/UPDATE by column name, not the ORM's bulk path.
    (DeclarativeBase types __table__ as any FromClause; our models each map one Table.)"""
    return cast(Table, model.__table__)


class TableRepository:
    """Bulk reads and natural-key upserts of whole tables, for import, export and demo seeding."""

    def __init__(self, session: Session):
        self.session = session

    def frame(self, query: Select) -> pd.DataFrame:
        result = self.session.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def export(self, model: type[Base], fields: dict[str, str], lookups: dict[str, str], key: tuple[str, ...],
               scope: dict[str, Any]) -> pd.DataFrame:
        """The rows of `model` as its file lays them out, in natural-key order: `fields` (file column
        -> model field) as stored, `lookups` (file column -> id field) as the code of the row they
        point at (sku, resource); `scope` (field -> value) picks the rows (a supply plan version)."""
        columns = [getattr(model, field).label(column) for column, field in fields.items()]
        query = select(*columns).select_from(model)
        code_of: dict[str, Any] = {}
        for column, field in lookups.items():
            target, target_id, code_of[field] = _CODES[field]
            query = query.add_columns(code_of[field].label(column)).join(target, getattr(model, field) == target_id)
        for name, value in scope.items():
            query = query.where(getattr(model, name) == value)
        return self.frame(query.order_by(*[code_of.get(k, getattr(model, k)) for k in key]))

    def count(self, model: type[Base]) -> int:
        return self.session.scalar(select(func.count()).select_from(model)) or 0

    def fingerprint(self, *aggregates: Select) -> str:
        return fingerprint(self.session, aggregates)

    def existing_by_key(self, model: type[Base], key: tuple[str, ...], fields: list[str],
                        scope: dict[str, Any], first_key_values: list[Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """Current rows whose first key column is among `first_key_values`, keyed by natural key."""
        columns = [getattr(model, c) for c in dict.fromkeys(("id", *key, *fields))]
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(first_key_values))):
            query = select(*columns).where(getattr(model, key[0]).in_(chunk))
            for name, value in scope.items():
                query = query.where(getattr(model, name) == value)
            for row in self.session.execute(query).mappings():
                found[tuple(row[k] for k in key)] = dict(row)
        return found

    def insert_many(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(_table(model)), rows)

    def demo_data(self) -> DemoDataRepository:
        """The demo's rows across every table (go-live), in this repository's transaction."""
        return DemoDataRepository(self.session)

    def mark_origin(self, model: type[Base], field: str, values: list[Any], origin: str) -> None:
        """Set `origin` on the rows of `model` whose `field` is among `values` (the demo's marks)."""
        table = _table(model)
        for chunk in _chunks(sorted(set(values))):
            self.session.execute(update(table).where(table.c[field].in_(chunk)).values(origin=origin))

    def update_many(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        """Update by primary key; each row dict holds `id` and the new values."""
        if not rows:
            return
        table = _table(model)
        fields = [k for k in rows[0] if k != "id"]
        statement = update(table).where(table.c.id == bindparam("_id")).values(
            {f: bindparam(f"_v_{f}") for f in fields})
        params = [{"_id": r["id"], **{f"_v_{f}": r[f] for f in fields}} for r in rows]
        self.session.execute(statement, params)
