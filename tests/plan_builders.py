"""A small hand-made PlanData for the scenario tests: numbers small enough to work out on paper.

Three SKUs over three weekly periods, two resources:

    sku  category   family  price  cost  lead time  made/bought  routing (h/unit)
    M1   Beverages  Juice    10     6     14 d       made         R1 0.5
    M2   Beverages  Soda     20    12      7 d       made         R1 0.5 + R2 1.0
    B1   Snacks     Salty     5     2     14 d (sd 7) bought       -

    consensus  M1 100 100 100   M2 50 50 50   B1 40 40 40
    receipts   M1 100 100 100 (the first one firm)   M2 40 50 60   B1 0 0 60
    on hand    M1 10   M2 20   B1 50
    capacity   R1 100 h, R2 80 h per period; forecast error sd M1 10, M2 5, B1 8; service level 0.95
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from genxsop_core.plans.data import QUANTILE_LEVELS, PlanData

SKUS = ["B1", "M1", "M2"]  # PlanData rows are sorted SKUs
PERIODS = pd.date_range("2025-02-03", periods=3, freq="7D")
ROW = {sku: i for i, sku in enumerate(SKUS)}


def _by_sku(values: dict[str, object]) -> list:
    return [values[sku] for sku in SKUS]


PRODUCTS = pd.DataFrame({
    "sku": SKUS,
    "name": _by_sku({"M1": "Apple juice", "M2": "Cola", "B1": "Crisps"}),
    "category": _by_sku({"M1": "Beverages", "M2": "Beverages", "B1": "Snacks"}),
    "family": _by_sku({"M1": "Juice", "M2": "Soda", "B1": "Salty"}),
    "status": "active",
    "unit_cost": _by_sku({"M1": 6.0, "M2": 12.0, "B1": 2.0}),
    "unit_price": _by_sku({"M1": 10.0, "M2": 20.0, "B1": 5.0}),
    "lead_time_days": _by_sku({"M1": 14.0, "M2": 7.0, "B1": 14.0}),
    "lead_time_std_days": _by_sku({"M1": 0.0, "M2": 0.0, "B1": 7.0}),
    "moq": 1.0, "order_cost": 0.0, "holding_cost_rate": 0.25, "service_level_target": 0.95,
})
CONSENSUS = {"M1": [100.0, 100.0, 100.0], "M2": [50.0, 50.0, 50.0], "B1": [40.0, 40.0, 40.0]}
RECEIPTS = {"M1": [100.0, 100.0, 100.0], "M2": [40.0, 50.0, 60.0], "B1": [0.0, 0.0, 60.0]}
ON_HAND = {"M1": 10.0, "M2": 20.0, "B1": 50.0}
ERROR_STD = {"M1": 10.0, "M2": 5.0, "B1": 8.0}
RESOURCES = pd.DataFrame({"resource": ["R1", "R2"], "name": ["Filling", "Packing"],
                          "capacity_hours": [100.0, 80.0], "cost_per_hour": [0.0, 0.0]})
HOURS = {"M1": [0.5, 0.0], "M2": [0.5, 1.0], "B1": [0.0, 0.0]}


def small_plan(**changes) -> PlanData:
    """The plan of the module docstring; keyword arguments replace PlanData fields."""
    consensus = np.array(_by_sku(CONSENSUS))
    make = np.array([[sku != "B1"] * len(PERIODS) for sku in SKUS])
    firm = np.zeros_like(make)
    firm[ROW["M1"], 0] = True
    n = len(SKUS)
    data = PlanData(
        demand_version_id=1, supply_version_id=2, skus=list(SKUS), periods=PERIODS, products=PRODUCTS.copy(),
        consensus=consensus, statistical=consensus.copy(),
        quantiles=np.full((n, len(PERIODS), len(QUANTILE_LEVELS)), np.nan),
        receipts=np.array(_by_sku(RECEIPTS)), make=make, firm=firm, on_hand=np.array(_by_sku(ON_HAND)),
        error_std=np.array(_by_sku(ERROR_STD)), error_std_source=np.full(n, "history sd"),
        history_mean=consensus.mean(1), history_std=np.array(_by_sku(ERROR_STD)),
        resources=RESOURCES.copy(), hours=np.array(_by_sku(HOURS)), bucket_days=7.0)
    return replace(data, **changes)


def with_capacity(data: PlanData, **hours: float) -> PlanData:
    """The plan with other capacities, e.g. with_capacity(plan, R2=40.0)."""
    resources = data.resources.copy()
    for resource, capacity in hours.items():
        resources.loc[resources.resource == resource, "capacity_hours"] = capacity
    return replace(data, resources=resources)


def row(sku: str) -> int:
    return ROW[sku]
