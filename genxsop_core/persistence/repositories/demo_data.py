"""The demo company's rows, found by their marks, for go-live: what would go, what stands in the way.

A row is the demo's when its `origin` is DEMO_ORIGIN, or when it hangs off such a row and has no
mark of its own (plan rows of a demo version, results of a demo run, sign-offs of a demo cycle,
scenarios pinned on a demo version). Every set is a subquery, so nothing is loaded to decide.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, delete, false, func, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from genxsop_core.domain.models import DEMO_IMPORTED_ORIGIN, DEMO_ORIGIN, Base, User

# tables without a mark whose rows belong to the row they hang off (table -> its owning columns)
OWNED_BY: dict[str, tuple[str, ...]] = {
    "demand_plan": ("plan_version_id",),
    "forecast_result": ("run_id",),
    "forecast_model_score": ("run_id",),
    "forecast_node_result": ("run_id",),
    "sop_signoff": ("cycle_id",),
    "sop_decision": ("cycle_id",),
    "sop_action": ("cycle_id",),
    "meeting_pack": ("cycle_id",),
    "scenario": ("base_plan_version_id", "cycle_id"),
}
# how a row is named to the operator: its natural key (product ids shown as the SKU)
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "product": ("sku",), "resource": ("code",), "reason_code": ("code",), "sop_cycle": ("name",),
    "routing": ("product_id", "resource_id"), "demand_actual": ("product_id", "period"),
    "inventory_snapshot": ("product_id", "snapshot_date"), "planned_promotion": ("product_id", "period"),
    "supply_plan": ("plan_version_id", "product_id", "period"),
    "demand_plan": ("plan_version_id", "product_id", "period"),
    "forecast_result": ("run_id", "product_id", "period"),
}
NOT_DATA = ("audit_log", "data_generation", "setup_token", "alembic_version")
# demo rows go-live keeps: the standard reason codes are the override form's list, not the demo company's
KEPT = ("reason_code",)


@dataclass(frozen=True)
class BlockingRows:
    """Rows that keep go-live from removing the demo data: which table, why, a few keys, how many."""

    table: str
    reason: str
    keys: list[str]
    count: int

    def describe(self) -> str:
        more = f" and {self.count - len(self.keys)} more" if self.count > len(self.keys) else ""
        return f"{self.table} ({self.reason}): {', '.join(self.keys)}{more}"


def _tables() -> dict[str, Table]:
    return {t.name: t for t in Base.metadata.sorted_tables if t.name not in NOT_DATA}


class DemoDataRepository:
    """Counts, checks and deletes the demo's rows inside the caller's transaction."""

    def __init__(self, session: Session):
        self.session = session
        self._tables = _tables()

    def _demo_condition(self, table: Table) -> ColumnElement[bool] | None:
        """The rows of `table` that go with the demo, or None when none can."""
        if table.name in KEPT:
            return None
        if "origin" in table.c:
            return table.c.origin == DEMO_ORIGIN
        owners = [table.c[column].in_(self._demo_ids(table.c[column]))
                  for column in OWNED_BY.get(table.name, ())]
        return or_(false(), *owners) if owners else None

    def _demo_ids(self, column: Any) -> Select:
        """Ids of the demo rows of the table `column` points at."""
        (foreign_key,) = column.foreign_keys
        parent = foreign_key.column.table
        condition = self._demo_condition(parent)
        return select(parent.c.id).where(condition if condition is not None else false())

    def row_counts(self) -> dict[str, int]:
        """Rows per data table (app_user included; audit log, counters and tokens are not data)."""
        return {name: self.session.scalar(select(func.count()).select_from(table)) or 0
                for name, table in self._tables.items()}

    def demo_accounts(self) -> list[str]:
        return sorted(self.session.scalars(select(User.username).where(User.is_demo.is_(True))))

    def delete_demo_accounts(self) -> None:
        self.session.execute(delete(User).where(User.is_demo.is_(True)))

    def _keys(self, table: Table, where: ColumnElement[bool], limit: int) -> BlockingRows | None:
        count = self.session.scalar(select(func.count()).select_from(table).where(where)) or 0
        if not count:
            return None
        products = self._tables["product"]
        columns = [table.c[c] for c in KEY_COLUMNS.get(table.name, ("id",))]
        query = select(*[products.c.sku if c.name == "product_id" else c for c in columns]).select_from(table)
        if "product_id" in [c.name for c in columns]:
            query = query.join(products, products.c.id == table.c.product_id)
        query = query.where(where)
        rows = self.session.execute(query.order_by(*columns).limit(limit)).all()
        return BlockingRows(table.name, "", ["/".join(str(v) for v in row) for row in rows], count)

    def blocking_rows(self, limit: int = 5) -> list[BlockingRows]:
        """What stops the demo data from going: demo rows a real import changed, and rows that are
        not the demo's but point at demo rows (real data made on top of the demo's)."""
        found: list[BlockingRows] = []
        for name, table in self._tables.items():
            if "origin" in table.c:
                rows = self._keys(table, table.c.origin == DEMO_IMPORTED_ORIGIN, limit)
                if rows:
                    found.append(BlockingRows(name, "demo rows a real import changed", rows.keys, rows.count))
            own = self._demo_condition(table)
            for column in table.c:
                if not column.foreign_keys or column.name in OWNED_BY.get(name, ()):
                    continue
                points_at_demo = column.in_(self._demo_ids(column))
                # NULL-safe "not the demo's": a real row's origin (or owning column) is NULL
                where = points_at_demo if own is None else points_at_demo & not_(func.coalesce(own, false()))
                if "origin" in table.c:  # a changed demo row is reported above, once
                    where = where & or_(table.c.origin.is_(None), table.c.origin != DEMO_IMPORTED_ORIGIN)
                rows = self._keys(table, where, limit)
                if rows:
                    target = next(iter(column.foreign_keys)).column.table.name
                    found.append(BlockingRows(name, f"real rows referring to demo {target} rows", rows.keys,
                                              rows.count))
        return found

    def delete_demo_rows(self) -> None:
        """Delete every demo row, children before parents (the caller has checked blocking_rows)."""
        for table in reversed(list(self._tables.values())):
            condition = self._demo_condition(table)
            if condition is not None:
                self.session.execute(delete(table).where(condition))
