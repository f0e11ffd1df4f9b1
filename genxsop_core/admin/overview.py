"""What is in the database: the first screen after login, before any plan exists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from genxsop_core.domain.hierarchy import GROUP_LEVELS, Node, check_level
from genxsop_core.domain.models import Resource, Routing
from genxsop_core.domain.states import PlanKind
from genxsop_core.persistence.unit_of_work import UnitOfWork


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
        skus, categories, families = uow.products.hierarchy_counts()
        demand_rows, buckets, first, last = uow.demand.coverage()
        plan = uow.plans.latest_working(PlanKind.SUPPLY)
        return DataOverview(
            skus=skus, categories=categories, families=families,
            resources=uow.tables.count(Resource), routings=uow.tables.count(Routing),
            demand_rows=demand_rows, history_buckets=buckets, first_period=first, last_period=last,
            inventory_value=uow.inventory.value(),
            open_supply_units=uow.supply_plans.receipts_total(plan.id) if plan else 0.0)


def demand_history(uow: UnitOfWork, level: str) -> pd.DataFrame:
    """Ordered units per bucket by category or family, long format (unique_id, ds, y)."""
    if level not in GROUP_LEVELS:
        raise ValueError(f"level must be one of {', '.join(GROUP_LEVELS)}")
    with uow:
        frame = uow.demand.ordered_by(level)
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


def skus_under(uow: UnitOfWork, node: Node) -> list[str]:
    """The SKUs under a category, family or SKU node, sorted (one query, no frame: the API reads one
    SKU's plan many times a second); NotFound when there are none."""
    with uow:
        skus = uow.demand.skus_under(check_level(node.level), node.key)
    if not skus:
        raise node.nothing_under()
    return skus


def product_hierarchy(uow: UnitOfWork) -> pd.DataFrame:
    """sku, name, category, family of every product: the pickers of scope and drill-down."""
    with uow:
        return uow.demand.hierarchy()
