"""What `python -m genxsop_core balance` prints: which plan a cycle balances, and the balance in words.

Reads only: the write (`--write`) goes through the supply review's accept
(supply.plans.accept_balanced_receipts), like the button.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput, NotFound
from genxsop_core.domain.states import PlanKind
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import PlanData
from genxsop_core.presentation.numbers import format_value
from genxsop_core.scenarios.levers import evaluate
from genxsop_core.supply.balance import Balance, BalanceOptions, hour_values
from genxsop_core.supply.balance_priority import priority_sentence

COMPARED: dict[str, tuple[str, str]] = {  # summary key: (label, kind for format_value)
    "fill_rate": ("Fill rate", "percent"), "margin": ("Gross margin", "money"),
    "lost_units": ("Lost sales, units", "units"), "stockout_skus": ("SKUs stocking out", "count"),
    "overloads": ("Overloaded resource-periods", "count"),
    "utilization_peak": ("Peak utilization", "percent"),
    "inventory_value_avg": ("Average inventory value", "money"),
}
COSTS: dict[str, str] = {"holding_cost": "holding", "overtime_cost": "overtime", "shortfall_cost": "shortfall",
                         "safety_stock_cost": "below safety stock"}


def cycle_versions(uow: UnitOfWork, month: str | None) -> tuple[str, int, int]:
    """(cycle name, demand version id, supply version id) of the cycle of `month` (YYYY-MM), or of
    the newest cycle when None."""
    with uow:
        if month is None:
            cycles = uow.cycles.listing()
            if cycles.empty:
                raise NotFound("there is no S&OP cycle yet: start one on the Cycle page")
            cycle = uow.plans.cycle(int(cycles.sort_values("month").iloc[-1].id))
        else:
            try:
                first = date.fromisoformat(f"{month}-01")
            except ValueError:
                raise InvalidInput(f"--cycle must be a month as YYYY-MM, not {month!r}") from None
            cycle = uow.plans.cycle_by_month(first)
        if cycle is None:
            raise NotFound(f"no S&OP cycle for {month}")
        demand = uow.plans.for_cycle(PlanKind.DEMAND, cycle.id)
        supply = uow.plans.for_cycle(PlanKind.SUPPLY, cycle.id)
        if demand is None or supply is None:
            missing = "demand" if demand is None else "supply"
            raise InvalidInput(f"cycle {cycle.name} has no {missing} plan version to balance yet")
        return cycle.name, demand.id, supply.id


def summary_text(data: PlanData, result: Balance) -> str:
    """The plan now (cut to capacity, as the What-if page evaluates it) beside the balanced plan,
    the objective broken down, and where more capacity would pay."""
    now, then = evaluate(data).summary, result.summary
    table = pd.DataFrame({"": [label for label, _ in COMPARED.values()],
                          "now (cut to capacity)": [format_value(now[k], kind) for k, (_, kind) in COMPARED.items()],
                          "balanced": [format_value(then[k], kind) for k, (_, kind) in COMPARED.items()]})
    changed = result.receipts[result.receipts.change.abs() >= 0.5]
    lines = [table.to_string(index=False),
             "(now: load above capacity before the cut; balanced: above capacity + allowed overtime)", "",
             f"objective {format_value(then['objective'], 'money')} = margin {format_value(then['margin'], 'money')}"
             + "".join(f" - {name} {format_value(then[key], 'money')}" for key, name in COSTS.items()),
             f"overtime {then['overtime_hours']:,.1f} h in {then['overtime_periods']} resource-periods; "
             f"{len(changed)} receipts change for {changed.sku.nunique()} SKUs",
             solve_sentence(then), options_sentence(result.options, data.products, data.bucket_days)]
    values = hour_values(result)
    worth = values[values.hour_value_total > 1e-6]
    lines += ["what one more hour in every period is worth: " + ", ".join(
        f"{r.resource} {format_value(r.hour_value_total, 'price')} ({r.binding_periods} periods bind)"
        for r in worth.head(3).itertuples()) if not worth.empty else "no resource limits the plan"]
    counts = result.binding.constraint.value_counts()
    lines.append("what binds the SKUs: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    return "\n".join(lines)


def options_sentence(options: BalanceOptions, products: pd.DataFrame, bucket_days: float = 7.0) -> str:
    """The choices a balance weighed service and stock with, in words: the safety-stock penalty and
    the SKU priorities it used (balance_priority.priority_sentence)."""
    bucket = "week" if bucket_days == 7.0 else "period"
    return (f"a unit below safety stock costs {options.safety_stock_penalty:g} x its holding cost per {bucket}; "
            f"priorities: {priority_sentence(options.priority, products)}")


def solve_sentence(summary: Mapping[str, Any]) -> str:
    """How the balance was solved, and for whole lots how far from the best bound it stopped."""
    gap = summary.get("mip_gap", float("nan"))
    return (f"solved by {summary['solver']} in {summary['solve_seconds']:.2f} s ({summary['status']})"
            + (f", gap to the best bound {gap:.2%}" if gap == gap else ""))
