"""Products, resources and stock on hand: the master data the importers fill."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    InventorySnapshot,
    Product,
    Resource,
    Routing,
)


class ProductRepository:
    def __init__(self, session: Session):
        self.session = session

    def get_by_sku(self, sku: str) -> Product | None:
        return self.session.scalar(select(Product).where(Product.sku == sku))

    def ids_by_sku(self) -> dict[str, int]:
        return dict(self.session.execute(select(Product.sku, Product.id)).tuples().all())

    def prices(self) -> pd.Series:
        """Unit price per SKU (revenue views)."""
        rows = self.session.execute(select(Product.sku, Product.unit_price)).tuples().all()
        return pd.Series(dict(rows), dtype=float)

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Product)) or 0

    def hierarchy_counts(self) -> tuple[int, int, int]:
        """How many SKUs, categories and families there are."""
        skus, categories, families = self.session.execute(select(
            func.count(Product.id), func.count(Product.category.distinct()),
            func.count(Product.family.distinct()))).one()
        return skus, categories, families

    def master(self, skus: Sequence[str] | None = None) -> pd.DataFrame:
        """The planning attributes of products (costs, lead times, lot size, service level), by SKU."""
        query = select(Product.sku, Product.name, Product.category, Product.family, Product.status,
                       Product.unit_cost, Product.unit_price, Product.lead_time_days, Product.lead_time_std_days,
                       Product.moq, Product.order_cost, Product.holding_cost_rate, Product.service_level_target)
        if skus is not None:
            query = query.where(Product.sku.in_(list(skus)))
        result = self.session.execute(query.order_by(Product.sku))
        return pd.DataFrame(result.all(), columns=list(result.keys()))



class ResourceRepository:
    def __init__(self, session: Session):
        self.session = session

    def ids_by_code(self) -> dict[str, int]:
        return dict(self.session.execute(select(Resource.code, Resource.id)).tuples().all())

    def frame(self) -> pd.DataFrame:
        """resource, name, capacity_hours (per bucket), cost_per_hour, overtime_hours (per bucket),
        overtime_cost_per_hour (NaN: the default, 1.5 x cost_per_hour; supply.balance)."""
        result = self.session.execute(select(Resource.code.label("resource"), Resource.name, Resource.capacity_hours,
                                             Resource.cost_per_hour, Resource.overtime_hours,
                                             Resource.overtime_cost_per_hour).order_by(Resource.code))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def routings(self) -> pd.DataFrame:
        """sku, resource, hours_per_unit."""
        result = self.session.execute(
            select(Product.sku, Resource.code.label("resource"), Routing.hours_per_unit)
            .join(Product, Product.id == Routing.product_id).join(Resource, Resource.id == Routing.resource_id)
            .order_by(Product.sku, Resource.code))
        return pd.DataFrame(result.all(), columns=list(result.keys()))



class InventoryRepository:
    def __init__(self, session: Session):
        self.session = session

    def snapshots(self) -> pd.DataFrame:
        """sku, snapshot_date, on_hand: every stock count."""
        result = self.session.execute(
            select(Product.sku, InventorySnapshot.snapshot_date, InventorySnapshot.on_hand)
            .join(Product, Product.id == InventorySnapshot.product_id))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def value(self) -> float:
        """Stock at cost: each product's latest count x its unit cost, added up."""
        latest = (select(InventorySnapshot.product_id, func.max(InventorySnapshot.snapshot_date).label("day"))
                  .group_by(InventorySnapshot.product_id).subquery())
        total = self.session.scalar(
            select(func.sum(InventorySnapshot.on_hand * Product.unit_cost))
            .join(latest, (latest.c.product_id == InventorySnapshot.product_id)
                  & (latest.c.day == InventorySnapshot.snapshot_date))
            .join(Product, Product.id == InventorySnapshot.product_id))
        return float(total or 0.0)

    def on_hand(self, as_of: Any) -> pd.DataFrame:
        """sku, snapshot_date, on_hand: each product's latest stock count on or before `as_of`."""
        latest = (select(InventorySnapshot.product_id, func.max(InventorySnapshot.snapshot_date).label("day"))
                  .where(InventorySnapshot.snapshot_date <= as_of).group_by(InventorySnapshot.product_id).subquery())
        result = self.session.execute(
            select(Product.sku, InventorySnapshot.snapshot_date, InventorySnapshot.on_hand)
            .join(latest, (latest.c.product_id == InventorySnapshot.product_id)
                  & (latest.c.day == InventorySnapshot.snapshot_date))
            .join(Product, Product.id == InventorySnapshot.product_id).order_by(Product.sku))
        return pd.DataFrame(result.all(), columns=list(result.keys()))
