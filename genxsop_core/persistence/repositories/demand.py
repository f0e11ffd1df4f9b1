"""Demand actuals and what is read from them."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    DemandActual,
    PlannedPromotion,
    Product,
)
from genxsop_core.persistence.repositories._common import (
    _chunks,
)


class DemandRepository:
    """Demand history and planned promotions in the long format forecasting speaks."""

    def __init__(self, session: Session):
        self.session = session

    def skus_in_scope(self, kind: str, values: Sequence[str]) -> list[str]:
        query = select(Product.sku).where(Product.status != "inactive").order_by(Product.sku)
        if kind == "category":
            query = query.where(Product.category.in_(values))
        elif kind == "family":
            query = query.where(Product.family.in_(values))
        elif kind == "skus":
            query = query.where(Product.sku.in_(values))
        return list(self.session.scalars(query))

    def history(self, skus: Sequence[str], since: Any = None, until: Any = None) -> pd.DataFrame:
        """unique_id (sku), ds, y (ordered units), promo for the given SKUs (periods since <= ds < until)."""
        frames = []
        for chunk in _chunks(list(skus)):
            query = (select(Product.sku.label("unique_id"), DemandActual.period.label("ds"),
                            DemandActual.ordered_qty.label("y"), DemandActual.promo.label("promo"))
                     .join(Product, Product.id == DemandActual.product_id)
                     .where(Product.sku.in_(chunk)).order_by(Product.sku, DemandActual.period))
            if since is not None:
                query = query.where(DemandActual.period >= since)
            if until is not None:
                query = query.where(DemandActual.period < until)
            result = self.session.execute(query)
            frames.append(pd.DataFrame(result.all(), columns=list(result.keys())))
        frame = (pd.concat(frames, ignore_index=True) if frames
                 else pd.DataFrame(columns=["unique_id", "ds", "y", "promo"]))
        return frame.assign(ds=pd.to_datetime(frame["ds"]), promo=frame["promo"].astype(float))

    def coverage(self) -> tuple[int, int, Any, Any]:
        """How many rows of actuals there are, over how many buckets, from the first to the last."""
        rows, buckets, first, last = self.session.execute(select(
            func.count(DemandActual.id), func.count(DemandActual.period.distinct()),
            func.min(DemandActual.period), func.max(DemandActual.period))).one()
        return rows, buckets, first, last

    def ordered_by(self, level: str) -> pd.DataFrame:
        """unique_id (the category or family), ds, y: ordered units per bucket of each group."""
        group = {"category": Product.category, "family": Product.family}[level]
        result = self.session.execute(
            select(group.label("unique_id"), DemandActual.period.label("ds"),
                   func.sum(DemandActual.ordered_qty).label("y"))
            .join(Product, Product.id == DemandActual.product_id)
            .group_by(group, DemandActual.period).order_by(group, DemandActual.period))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def latest_period(self) -> Any:
        """The newest bucket with actuals (None without any)."""
        return self.session.scalar(select(func.max(DemandActual.period)))

    def service(self) -> pd.DataFrame:
        """sku, period, ordered, shipped, on_time_in_full: what customers asked for and got, every bucket."""
        result = self.session.execute(
            select(Product.sku, DemandActual.period, DemandActual.ordered_qty.label("ordered"),
                   DemandActual.shipped_qty.label("shipped"),
                   DemandActual.shipped_on_time_in_full_qty.label("on_time_in_full"))
            .join(Product, Product.id == DemandActual.product_id))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def planned_promotions(self, skus: Sequence[str]) -> pd.DataFrame:
        result = self.session.execute(
            select(Product.sku.label("unique_id"), PlannedPromotion.period.label("ds"))
            .join(Product, Product.id == PlannedPromotion.product_id).where(Product.sku.in_(list(skus))))
        frame = pd.DataFrame(result.all(), columns=["unique_id", "ds"])
        return frame.assign(ds=pd.to_datetime(frame["ds"]))

    def hierarchy(self) -> pd.DataFrame:
        result = self.session.execute(select(Product.sku, Product.name, Product.category, Product.family)
                                      .order_by(Product.category, Product.family, Product.sku))
        return pd.DataFrame(result.all(), columns=["sku", "name", "category", "family"])

    def skus_under(self, level: str, key: str) -> list[str]:
        """The SKUs whose `level` (category, family or sku) is `key`, sorted."""
        return list(self.session.scalars(select(Product.sku).where(getattr(Product, level) == key)
                                         .order_by(Product.sku)))
