"""What is in the database: the first screen after login, before any plan exists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select

from genxsop_core.domain.models import DemandActual, InventorySnapshot, Product, Resource, Routing, SupplyPlan
from genxsop_core.persistence.unit_of_work import UnitOfWork

LEVELS = ("category", "family")


@dataclass(frozen=True)
class DataOverview:
    skus: int
    categories: int
    families: int
    resources: int
    routings: int
    demand_rows: int
    history_buckets: int
    first_period: date | None
    last_period: date | None
    inventory_value: float
    open_supply_units: float


def data_overview(uow: UnitOfWork) -> DataOverview:
    with uow:
        s = uow.session
        skus, categories, families = s.execute(select(
            func.count(Product.id), func.count(Product.category.distinct()), func.count(Product.family.distinct()))).one()
        demand_rows, buckets, first, last = s.execute(select(
            func.count(DemandActual.id), func.count(DemandActual.period.distinct()),
            func.min(DemandActual.period), func.max(DemandActual.period))).one()
        latest = select(InventorySnapshot.product_id, func.max(InventorySnapshot.snapshot_date).label("d")) \
            .group_by(InventorySnapshot.product_id).subquery()
        value = s.scalar(select(func.sum(InventorySnapshot.on_hand * Product.unit_cost))
                         .join(latest, (latest.c.product_id == InventorySnapshot.product_id)
                               & (latest.c.d == InventorySnapshot.snapshot_date))
                         .join(Product, Product.id == InventorySnapshot.product_id))
        plan = uow.plans.latest_working("supply")
        open_supply = s.scalar(select(func.sum(SupplyPlan.planned_receipts))
                               .where(SupplyPlan.plan_version_id == plan.id)) if plan else 0.0
        return DataOverview(
            skus=skus, categories=categories, families=families,
            resources=uow.tables.count(Resource), routings=uow.tables.count(Routing),
            demand_rows=demand_rows, history_buckets=buckets, first_period=first, last_period=last,
            inventory_value=float(value or 0.0), open_supply_units=float(open_supply or 0.0))


def demand_history(uow: UnitOfWork, level: str) -> pd.DataFrame:
    """Ordered units per bucket by category or family, long format (unique_id, ds, y)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    group = getattr(Product, level)
    with uow:
        frame = uow.tables.frame(
            select(group.label("unique_id"), DemandActual.period.label("ds"),
                   func.sum(DemandActual.ordered_qty).label("y"))
            .join(Product, Product.id == DemandActual.product_id)
            .group_by(group, DemandActual.period).order_by(group, DemandActual.period))
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


def product_hierarchy(uow: UnitOfWork) -> pd.DataFrame:
    """sku, name, category, family of every product: the pickers of scope and drill-down."""
    with uow:
        return uow.demand.hierarchy()
