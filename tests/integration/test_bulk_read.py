"""bulk_read gives the same values SQLAlchemy's rows would, on SQLite and PostgreSQL: dates, timestamps
to the microsecond, booleans, NULLs, text, and an empty result."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import select

from genxsop_core.domain.models import PlanVersion, Product, SupplyPlan
from genxsop_core.persistence.repositories.bulk_read import epoch_days, epoch_microseconds, read_frame

STAMPS = [datetime(2026, 12, 3, 19, 53, 55, 870397, tzinfo=UTC), datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)]


def _rows(uow_factory) -> None:
    with uow_factory() as uow:
        product = Product(sku="A-1", name="Beans, 'dark'", category="Coffee", family="Beans", unit_cost=1.0,
                          unit_price=2.5)
        version = PlanVersion(kind="supply", name="working", status="draft", created_by="test")
        uow.session.add_all([product, version])
        uow.session.flush()
        uow.session.add_all([
            SupplyPlan(plan_version_id=version.id, product_id=product.id, period=date(2027, 1, 4),
                       planned_receipts=12.5, kind="make", firm=True, comment="rush", updated_at=STAMPS[0]),
            SupplyPlan(plan_version_id=version.id, product_id=product.id, period=date(1970, 1, 1),
                       planned_receipts=0.0, kind="buy", firm=False, comment=None, updated_at=STAMPS[1])])
        uow.commit()


def test_values_round_trip_as_the_orm_reads_them(uow_factory):
    _rows(uow_factory)
    query = select(SupplyPlan.id, epoch_days(SupplyPlan.period).label("period"), SupplyPlan.planned_receipts,
                   SupplyPlan.firm, SupplyPlan.comment, SupplyPlan.kind,
                   epoch_microseconds(SupplyPlan.updated_at).label("updated_at")).order_by(SupplyPlan.period)
    with uow_factory() as uow:
        frame = read_frame(uow.session, query, dates=["period"], timestamps=["updated_at"])
        stored = [pd.Timestamp(p) for p in uow.session.scalars(select(SupplyPlan.period).order_by(SupplyPlan.period))]
    assert list(frame.period) == stored == [pd.Timestamp("1970-01-01"),
                                                                            pd.Timestamp("2027-01-04")]
    assert list(frame.updated_at) == [pd.Timestamp(s) for s in reversed(STAMPS)]  # to the microsecond, in UTC
    assert frame.firm.dtype == bool and list(frame.firm) == [False, True]
    assert list(frame.planned_receipts) == [0.0, 12.5] and frame.planned_receipts.dtype == float
    assert frame.comment.iloc[0] is None and frame.comment.iloc[1] == "rush"
    assert list(frame.kind) == ["buy", "make"]


def test_a_float_column_of_nulls_is_nan_and_an_empty_result_keeps_its_columns(uow_factory):
    _rows(uow_factory)
    from genxsop_core.domain.models import DemandPlan
    with uow_factory() as uow:
        empty = read_frame(uow.session, select(DemandPlan.override, epoch_days(DemandPlan.period).label("period")),
                           dates=["period"])
        plan = uow.supply_plans.frame([1])
    assert list(empty.columns) == ["override", "period"] and empty.empty
    assert list(plan.columns[:7]) == ["sku", "name", "category", "family", "unit_price", "version_id", "period"]
    assert plan.name.iloc[0] == "Beans, 'dark'" and list(plan.period.dt.year) == [1970, 2027]
