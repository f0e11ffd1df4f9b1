"""What-if scenarios: levers evaluated on a loaded plan, and the scenarios the meeting pins.

`from genxsop_core import scenarios; scenarios.evaluate(plan, scenarios.Levers(...))` keeps
working: the calculator lives in `scenarios.levers` and is re-exported here.
"""
from genxsop_core.scenarios.levers import (
    HIGHER_IS_BETTER,
    SUMMARY_LABELS,
    Levers,
    ScenarioResult,
    demand_factor,
    evaluate,
    scenario_capacity,
    scenario_receipts,
)

__all__ = [
    "HIGHER_IS_BETTER", "SUMMARY_LABELS", "Levers", "ScenarioResult", "demand_factor", "evaluate",
    "scenario_capacity", "scenario_receipts",
]
