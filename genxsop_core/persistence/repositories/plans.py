"""Plan versions and their rows (demand and supply), and totals per period for charts."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from genxsop_core.domain.hierarchy import Level, check_level
from genxsop_core.domain.models import (
    DemandActual,
    DemandPlan,
    ForecastResult,
    PlanVersion,
    Product,
    ReasonCode,
    SopCycle,
    SupplyPlan,
)
from genxsop_core.domain.states import PlanStatus
from genxsop_core.persistence.repositories._common import (
    _chunks,
)
from genxsop_core.persistence.repositories.bulk_read import epoch_days, epoch_microseconds, read_frame


class PlanVersionRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, version: PlanVersion) -> None:
        self.session.add(version)

    def latest_working(self, kind: str) -> PlanVersion | None:
        """The working plan: the newest draft that belongs to no cycle (where imports of open and
        planned orders go; cycle versions start from it)."""
        return self.session.scalar(
            select(PlanVersion).where(PlanVersion.kind == kind, PlanVersion.status == PlanStatus.DRAFT,
                                      PlanVersion.cycle_id.is_(None))
            .order_by(PlanVersion.created_at.desc(), PlanVersion.id.desc()).limit(1)
        )

    def get(self, version_id: int) -> PlanVersion | None:
        return self.session.get(PlanVersion, version_id)

    def listing(self, kind: str) -> pd.DataFrame:
        """Versions of one kind with their cycle month, newest cycle first."""
        result = self.session.execute(
            select(PlanVersion.id, PlanVersion.name, PlanVersion.status, PlanVersion.source_run_id,
                   PlanVersion.demand_version_id, PlanVersion.created_by, PlanVersion.created_at,
                   PlanVersion.approved_by, PlanVersion.approved_at,
                   SopCycle.month.label("cycle_month"), SopCycle.name.label("cycle"))
            .outerjoin(SopCycle, SopCycle.id == PlanVersion.cycle_id).where(PlanVersion.kind == kind)
            .order_by(SopCycle.month.desc(), PlanVersion.id.desc()))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def for_cycle(self, kind: str, cycle_id: int) -> PlanVersion | None:
        """The cycle's version of a kind (versions superseded by a promoted scenario do not count)."""
        return self.session.scalar(select(PlanVersion).where(PlanVersion.kind == kind,
                                                             PlanVersion.cycle_id == cycle_id,
                                                             PlanVersion.status != PlanStatus.SUPERSEDED))

    def cycle_by_month(self, month: Any) -> SopCycle | None:
        return self.session.scalar(select(SopCycle).where(SopCycle.month == month))

    def cycle(self, cycle_id: int | None) -> SopCycle | None:
        return None if cycle_id is None else self.session.get(SopCycle, cycle_id)

    def add_cycle(self, cycle: SopCycle) -> None:
        self.session.add(cycle)

    def add_reason_code(self, code: ReasonCode) -> None:
        self.session.add(code)

    def reason_codes(self, active_only: bool = True) -> list[ReasonCode]:
        query = select(ReasonCode).order_by(ReasonCode.code)
        if active_only:
            query = query.where(ReasonCode.active.is_(True))
        return list(self.session.scalars(query))



def node_filter(level: str, key: str) -> list[Any]:
    """WHERE clauses picking the products of a hierarchy node (none for the total): each level below
    the total is the product master's column of that name."""
    return [] if check_level(level) is Level.TOTAL else [getattr(Product, level) == key]



class PeriodTotalsRepository:
    """Sums per period over a node of the product hierarchy, added up by the database: a chart of
    thousands of SKUs reads one row per period instead of one per SKU and period. A period whose
    values are all NULL sums to NULL (SQL SUM), so it stays empty rather than becoming 0."""

    def __init__(self, session: Session):
        self.session = session

    def _totals(self, model: Any, values: dict[str, Any], where: list[Any], revenue: bool) -> pd.DataFrame:
        weight = Product.unit_price if revenue else 1.0
        query = (select(model.period.label("period"), *[func.sum(column * weight).label(name)
                                                        for name, column in values.items()])
                 .join(Product, Product.id == model.product_id).where(*where)
                 .group_by(model.period).order_by(model.period))
        result = self.session.execute(query)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        return frame.assign(period=pd.to_datetime(frame["period"])).astype({name: float for name in values})

    def actuals(self, products: list[Any], revenue: bool = False) -> pd.DataFrame:
        """period, actual (ordered units, or their value at unit price)."""
        return self._totals(DemandActual, {"actual": DemandActual.ordered_qty}, products, revenue)

    def demand_plan(self, version_id: int, products: list[Any], revenue: bool = False) -> pd.DataFrame:
        """period, statistical, consensus of one demand plan version."""
        return self._totals(DemandPlan, {"statistical": DemandPlan.statistical, "consensus": DemandPlan.consensus},
                            [DemandPlan.plan_version_id == version_id, *products], revenue)

    def forecast_band(self, run_id: int, products: list[Any], revenue: bool = False) -> pd.DataFrame:
        """period, p10, p90 of a run's forecasts (its backtests left out)."""
        return self._totals(ForecastResult, {"p10": ForecastResult.p10, "p90": ForecastResult.p90},
                            [ForecastResult.run_id == run_id, ForecastResult.window.is_(None), *products],
                            revenue)



PlanRow = TypeVar("PlanRow", DemandPlan, SupplyPlan)
_ONE_QUERY_SKUS = 50  # up to this many SKUs, a plan's rows are read with their products in one query


class _PlanRowRepository(Generic[PlanRow]):
    """Rows of plan versions: frames for reading, ORM objects for locked updates, bulk inserts."""

    model: type[PlanRow]
    columns: tuple[str, ...]

    def __init__(self, session: Session):
        self.session = session

    def frame(self, version_ids: Sequence[int], skus: Sequence[str] | None = None) -> pd.DataFrame:
        """sku, name, category, family, unit_price, version_id, period, the kind's columns, author,
        updated_at, row_version; by SKU and period.

        Read through bulk_read (numbers where it can). A few SKUs come in one query (one round trip:
        the API's small reads); more are read without their product's text and joined to the
        products in pandas: 5,000 names, not 260,000 copies, and no sort of text in the database."""
        m = self.model
        products = select(Product.id.label("product_id"), Product.sku, Product.name, Product.category,
                          Product.family, Product.unit_price)
        plan: list[Any] = [m.plan_version_id.label("version_id"), epoch_days(m.period).label("period")]
        plan += [getattr(m, c) for c in self.columns]
        plan += [m.author, epoch_microseconds(m.updated_at).label("updated_at"), m.row_version]
        stamps = {"dates": ["period"], "timestamps": ["updated_at"]}
        if skus is not None and len(skus) <= _ONE_QUERY_SKUS:
            query = (products.add_columns(*plan).join(m, m.product_id == Product.id)
                     .where(m.plan_version_id.in_(list(version_ids)), Product.sku.in_(list(skus)))
                     .order_by(Product.sku, m.period))
            return read_frame(self.session, query, **stamps).drop(columns="product_id")
        query = select(m.product_id, *plan).where(m.plan_version_id.in_(list(version_ids)))
        if skus is not None:
            products = products.where(Product.sku.in_(list(skus)))
            query = query.where(m.product_id.in_(products.with_only_columns(Product.id).scalar_subquery()))
        rows = read_frame(self.session, query, **stamps)
        master = read_frame(self.session, products).sort_values("sku", ignore_index=True)
        frame = master.merge(rows, on="product_id", how="inner", sort=False)
        rank = pd.Series(np.arange(len(master)), index=master["product_id"])
        order = np.lexsort((frame["period"].to_numpy(), frame["product_id"].map(rank).to_numpy()))
        return frame.iloc[order].drop(columns="product_id").reset_index(drop=True)

    def skus(self, version_id: int) -> set[str]:
        """The SKUs that have rows in a version (a family's SKUs may have changed since it was made)."""
        query = (select(Product.sku).join(self.model, self.model.product_id == Product.id)
                 .where(self.model.plan_version_id == version_id).distinct())
        return set(self.session.scalars(query))

    def rows_for_update(self, version_id: int, keys: Sequence[tuple[str, Any]]) -> dict[tuple[str, Any], PlanRow]:
        """The ORM rows for (sku, period) keys; updating them checks row_version (optimistic lock)."""
        skus = sorted({sku for sku, _ in keys})
        wanted = set(keys)
        found: dict[tuple[str, Any], PlanRow] = {}
        for chunk in _chunks(skus):
            query = (select(Product.sku, self.model).join(Product, Product.id == self.model.product_id)
                     .where(self.model.plan_version_id == version_id, Product.sku.in_(chunk)))
            for sku, row in self.session.execute(query):
                if (sku, row.period) in wanted:
                    found[(sku, row.period)] = row
        return found

    def insert_rows(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(self.model), rows)



class DemandPlanRepository(_PlanRowRepository[DemandPlan]):
    model = DemandPlan
    columns = ("statistical", "override", "consensus", "reason_code", "comment")



class SupplyPlanRepository(_PlanRowRepository[SupplyPlan]):
    model = SupplyPlan
    columns = ("planned_receipts", "kind", "firm", "comment")

    def receipts_total(self, version_id: int) -> float:
        """Units a supply plan version expects to receive, all SKUs and periods."""
        total = self.session.scalar(select(func.sum(SupplyPlan.planned_receipts))
                                    .where(SupplyPlan.plan_version_id == version_id))
        return float(total or 0.0)
