"""The baseline-vs-scenario delta strip: the few figures the meeting watches, green or red when they move."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.plans.data import PlanData
from genxsop_core.scenarios import levers as scenarios
from genxsop_core.scenarios.rebalanced import worth_adding
from genxsop_ui import deltas, formatting, runtime, session

STRIP: tuple[str, ...] = ("revenue", "margin", "fill_rate", "stockout_skus", "inventory_value_avg",
                          "utilization_peak", "overloads")


@dataclass(frozen=True)
class Evaluated:
    baseline: scenarios.ScenarioResult
    scenario: scenarios.ScenarioResult
    worth_adding: str | None = None  # rebalanced: which resource more capacity is worth most on
    hour_values: pd.DataFrame | None = None  # rebalanced: supply.balance.hour_values of the scenario


def evaluate(data: PlanData, levers: scenarios.Levers, rebalance: bool = False) -> Evaluated:
    """The plan as it stands and with the levers: by the cut-to-capacity rule (scenarios.evaluate),
    or with both plans balanced (scenarios.rebalanced, solved once per plan and levers for every
    session). Raises GenXSOPError for levers or a plan that cannot be evaluated."""
    if not rebalance:
        return Evaluated(scenarios.evaluate(data), scenarios.evaluate(data, levers))
    baseline = runtime.rebalanced(data.demand_version_id, data.supply_version_id, scenarios.Levers())
    scenario = runtime.rebalanced(data.demand_version_id, data.supply_version_id, levers)
    return Evaluated(baseline.result, scenario.result, worth_adding(scenario.hour_values, data.bucket_days),
                     scenario.hour_values)


def evaluate_or_stop(data: PlanData, levers: scenarios.Levers, rebalance: bool = False) -> Evaluated:
    """`evaluate` for a page: levers or a plan that cannot be evaluated are said in the page, which stops there."""
    try:
        return evaluate(data, levers, rebalance)
    except GenXSOPError as error:
        session.show_error(error)
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers so


def delta_strip(baseline: scenarios.ScenarioResult, scenario: scenarios.ScenarioResult, per_row: int = 4) -> None:
    """Rows of `per_row` metrics: seven in one row cut the figures short on a laptop screen."""
    figure_strip(baseline.summary, scenario.summary, {key: scenarios.SUMMARY_LABELS[key] for key in STRIP},
                 scenarios.HIGHER_IS_BETTER, per_row)


def figure_strip(before: Mapping[str, float], after: Mapping[str, float], labels: Mapping[str, str],
                 higher_is_better: Mapping[str, bool], per_row: int = 4) -> None:
    """One metric per figure in `labels` (key -> label): its value `after`, its change from `before`,
    green when it moves the better way."""
    columns = [column for start in range(0, len(labels), per_row) for column in st.columns(per_row)]
    for column, (key, label) in zip(columns, labels.items()):
        new, old = after[key], before[key]
        column.metric(label, formatting.figure(key, new), deltas.shown_delta(formatting.change(key, new, old)),
                      delta_color="normal" if higher_is_better[key] else "inverse")
