"""What the inventory screen shows: the policy table, one SKU's projected inventory against its
safety stock, the ABC/XYZ matrix, the exception list, and their export. Reads only.

The plan is a demand plan version with the supply version of its cycle (or, before one exists,
the working supply plan imported from the ERP).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from genxsop_core.inventory import formulas as inventory
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.io.exporter import encode, workbook_bytes
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import PlanData, load_plan_data
from genxsop_core.supply.views import supply_version_for


@dataclass(frozen=True)
class InventoryView:
    data: PlanData
    policy: pd.DataFrame  # inventory_policy.policy_table
    exceptions: pd.DataFrame  # inventory_policy.exception_list
    classes: pd.DataFrame  # inventory_policy.class_matrix


def inventory_view(uow_factory: Callable[[], UnitOfWork], demand_version_id: int,
                   method: str = "lead_time") -> InventoryView:
    """Load the plan of a demand version and compute everything the page shows."""
    supply_version_id = supply_version_for(uow_factory(), demand_version_id)
    data = load_plan_data(uow_factory(), demand_version_id, supply_version_id)
    return compute_view(data, method)


def compute_view(data: PlanData, method: str = "lead_time") -> InventoryView:
    """The pure part: what the page shows of already loaded plan data (a method switch recomputes this)."""
    policy = inventory_policy.policy_table(data, method)
    return InventoryView(data, policy, inventory_policy.exception_list(policy), inventory_policy.class_matrix(policy))


def projection_chart(view: InventoryView, sku: str) -> pd.DataFrame:
    """period, demand, receipts, projected, safety_stock, max_level, stockout for one SKU."""
    data, policy = view.data, view.policy
    i = data.skus.index(sku)
    row = policy.iloc[i]
    balances = inventory.project_inventory(data.on_hand[i], data.receipts[i], data.consensus[i])
    return pd.DataFrame({"period": data.periods, "demand": data.consensus[i], "receipts": data.receipts[i],
                         "projected": balances, "safety_stock": row.safety_stock,
                         "max_level": row.safety_stock + row.order_quantity, "stockout": balances < 0})


def totals(view: InventoryView) -> dict[str, float]:
    """The tiles above the table: stock value, SKUs projected to stock out, below safety stock, in excess.

    The SKU counts are those of the exception list, so a SKU counts under its one exception
    (inventory_policy.exception_state) and the counts add up to the list's length."""
    listed = view.exceptions.exception.value_counts()
    return {"inventory_value": float(view.policy.inventory_value.sum()),
            "stockout_skus": int(listed.get(inventory_policy.STOCKOUT, 0)),
            "below_safety_skus": int(listed.get(inventory_policy.BELOW_SAFETY, 0)),
            "excess_skus": int(listed.get(inventory_policy.EXCESS, 0)),
            "money_at_risk": float(view.exceptions.money_at_risk.sum())}


def policy_export(view: InventoryView, file_type: str) -> bytes:
    """The policy table and the exception list as CSV (the table) or XLSX (both, one sheet each): a report,
    with the planner's headers (field catalogue) and, in the XLSX, number formats; CSV values stay plain."""
    policy = _dates(view.policy)
    if file_type != "xlsx":
        return encode(policy, file_type, "inventory policy", labelled=True)
    exceptions = _dates(view.exceptions)
    return workbook_bytes({"Inventory policy": policy, "Exceptions": exceptions}, labelled=True)


def _dates(table: pd.DataFrame) -> pd.DataFrame:
    """The period columns as dates (no time of day) for the export."""
    return table.assign(**{c: pd.to_datetime(table[c]).dt.date for c in ("first_stockout", "from", "until")})


def sku_options(view: InventoryView) -> list[str]:
    """SKUs with an exception first (by money at risk), then the rest in order."""
    ranked = list(dict.fromkeys(view.exceptions.sku))
    return ranked + [s for s in view.data.skus if s not in set(ranked)]


def weeks_of_cover_buckets(view: InventoryView) -> pd.Series:
    """How many SKUs hold 0-1, 1-2, 2-4, 4-8, 8-13, 13+ weeks of cover."""
    edges = [-np.inf, 1, 2, 4, 8, 13, np.inf]
    labels = ["< 1", "1-2", "2-4", "4-8", "8-13", "13+"]
    return pd.cut(view.policy.weeks_of_cover, edges, labels=labels, right=False).value_counts().reindex(labels)
