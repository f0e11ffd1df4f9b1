"""The balanced plan as the supply review shows it: what balancing changes, why, and what it does.

`supply.balance.balance` solves the plan; this module sets its receipts beside the draft supply
version's rows the planner has loaded, keeps the cells it changes (released orders never
change), and builds the edits `supply.plans.accept_balanced_receipts` writes. Each edit carries
the row version of the row the balance was computed against: the lost-update lock of a hand
edit, so a cell someone changed since refuses the accept. Reads only.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import PlanData, load_plan_data
from genxsop_core.scenarios.levers import evaluate
from genxsop_core.supply.balance import Balance, BalanceOptions, balance
from genxsop_core.supply.balance_priority import sku_priorities
from genxsop_core.supply.plans import ReceiptEdit
from genxsop_core.supply.views import receipts_grid

SAME_UNITS = 0.5
"""A change smaller than half a unit is the solver's rounding, not a change worth writing."""
COMMENT_PREFIX = "Balanced: "
COMMENT_CHARS = 500  # the grid's comment column holds this much
CHANGE_COLUMNS = ["sku", "period", "planned_receipts", "balanced", "change", "kind", "reason"]

FIGURES: dict[str, tuple[str, bool]] = {  # key: (label, higher is better)
    "fill_rate": ("Fill rate", True),
    "margin": ("Gross margin", True),
    "overloads": ("Overloaded resource-periods", False),
    "inventory_value_avg": ("Average inventory value", False),
    "overtime_hours": ("Overtime hours (now: hours above capacity)", False),
}


@dataclass(frozen=True)
class BalancedPlan:
    result: Balance
    changes: pd.DataFrame  # CHANGE_COLUMNS: one row per cell the balance changes, with the reason
    edits: list[ReceiptEdit]  # the same cells as accept_balanced_receipts writes them
    figures: pd.DataFrame  # indexed by FIGURES key: label, now, balanced, change, higher_is_better


def receipt_changes(result: Balance, rows: pd.DataFrame) -> pd.DataFrame:
    """The cells of `rows` (receipts_grid of the version) whose receipts the balance changes:
    CHANGE_COLUMNS plus row_version (the lock token). Released orders and changes under
    SAME_UNITS are left out; kind is make or buy as the balance plans the receipt."""
    proposed = result.receipts.assign(period=pd.to_datetime(result.receipts.period))
    proposed = proposed[~proposed.firm.astype(bool) & (proposed.change.abs() >= SAME_UNITS)]
    cells = proposed.merge(rows.assign(period=pd.to_datetime(rows.period)), on=["sku", "period"], how="inner",
                           suffixes=("_balance", ""))
    cells = cells[~cells.firm.astype(bool)]
    kind = np.where(cells.make.astype(bool), "make", "buy")
    changes = cells.assign(balanced=cells.quantity.astype(float), kind=kind,
                           change=cells.quantity.astype(float) - cells.planned_receipts.astype(float))
    return changes[[*CHANGE_COLUMNS, "row_version"]].sort_values(["sku", "period"]).reset_index(drop=True)


def edits_of(changes: pd.DataFrame) -> list[ReceiptEdit]:
    """The changes as receipt edits, the reason in the comment."""
    return [ReceiptEdit(str(r.sku), pd.Timestamp(r.period).date(), float(r.balanced), str(r.kind),
                        (COMMENT_PREFIX + str(r.reason))[:COMMENT_CHARS], int(r.row_version),
                        float(r.planned_receipts)) for r in changes.itertuples(index=False)]


def hours_above_capacity(capacity: pd.DataFrame) -> float:
    """Load hours beyond capacity, summed over resources and periods (`evaluate(...).capacity`):
    the overtime the plan as it stands would need."""
    return float(np.maximum(capacity.load_hours - capacity.capacity_hours, 0.0).sum())


def figures(data: PlanData, result: Balance) -> pd.DataFrame:
    """FIGURES now (scenarios.evaluate of the plan as it stands: cut to capacity, sales lost) and
    in the balanced plan (its own summary)."""
    baseline = evaluate(data)
    now = {**baseline.summary, "overtime_hours": hours_above_capacity(baseline.capacity)}
    table = pd.DataFrame({"label": [label for label, _ in FIGURES.values()],
                          "now": [float(now[key]) for key in FIGURES],
                          "balanced": [float(result.summary[key]) for key in FIGURES],
                          "higher_is_better": [better for _, better in FIGURES.values()]}, index=list(FIGURES))
    return table.assign(change=table.balanced - table.now)


def balanced_plan(data: PlanData, rows: pd.DataFrame, options: BalanceOptions | None = None) -> BalancedPlan:
    """Balance the plan and compare it with the version's rows as loaded (receipts_grid over all its SKUs)."""
    result = balance(data, options)
    changes = receipt_changes(result, rows)
    return BalancedPlan(result, changes.drop(columns="row_version"), edits_of(changes), figures(data, result))


def balance_version(uow_factory, demand_version_id: int, supply_version_id: int,  # noqa: ANN001 - a factory
                    options: BalanceOptions | None = None,
                    priorities: Sequence[tuple[str, float]] = ()) -> tuple[PlanData, BalancedPlan]:
    """Load a supply version and balance it (the CLI's `balance`): the rows, whose row versions
    the edits carry, are read before the plan, so a cell changed in between refuses the accept.
    `priorities` (category, family or SKU, weight; balance_priority.sku_priorities) become the
    options' SKU priorities over the SKUs of the loaded plan."""
    uow: UnitOfWork = uow_factory()
    with uow:
        skus = sorted(uow.supply_plans.skus(supply_version_id))
    rows = receipts_grid(uow_factory(), supply_version_id, skus)
    data = load_plan_data(uow_factory(), demand_version_id, supply_version_id)
    if priorities:
        options = replace(options or BalanceOptions(), priority=sku_priorities(data.products, priorities))
    return data, balanced_plan(data, rows, options)
