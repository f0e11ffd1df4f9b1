"""The Demand review draws an aggregate's reconciled P10-P90 band (the node's own, stored with the
forecast run) in weekly units, and the SKUs' summed band, named so, where there is none."""
from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.hierarchy import Node
from genxsop_core.persistence.repositories import node_filter
from genxsop_core.persistence.unit_of_work import UnitOfWork
from tests.app.conftest import logged_in, texts

RECONCILED = "Reconciled P10-P90"
SUMMED = "P10-P90: sum of the SKU P10s and P90s (wider than the truth)"


def demand_page():
    at = logged_in("viewer").run()
    at.switch_page("../pages/demand.py").run()
    assert not at.exception, at.exception
    return at


def values(trace: dict) -> np.ndarray:
    """A trace's y values (plotly ships numpy arrays base64-encoded)."""
    y = trace["y"]
    return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else np.array(y, float)


def band(at) -> tuple[str, np.ndarray, np.ndarray]:
    """The band's legend name, its P10s and P90s as drawn (the P90 edge is the unnamed trace before it)."""
    data = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    low = next(i for i, t in enumerate(data) if t.get("fill") == "tonexty")
    p10, p90 = values(data[low]), values(data[low - 1])
    return data[low]["name"], p10[~np.isnan(p10)], p90[~np.isnan(p90)]  # history periods have no band


def run_bands() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan's run: its reconciled total band, and its SKUs' bands added up."""
    plan = dashboard_views.current_plan(UnitOfWork())
    with UnitOfWork() as uow:
        run_id = uow.plans.get(plan.demand_version_id).source_run_id
        own = uow.forecast_runs.node_results(run_id, "total", "")
        summed = uow.totals.forecast_band(run_id, node_filter("total", ""))
    return own, summed


def test_all_products_shows_the_reconciled_band_of_the_run_narrower_than_the_summed_one(app_db):
    at = demand_page()
    name, p10, p90 = band(at)
    assert name == RECONCILED
    assert "The band is this node's reconciled P10-P90 from the forecast run" in texts(at)
    own, summed = run_bands()
    assert p10 == pytest.approx(own.p10.to_numpy()) and p90 == pytest.approx(own.p90.to_numpy())
    width = (own.p90 - own.p10).to_numpy()
    summed_width = (summed.p90 - summed.p10).to_numpy()
    assert len(width) == len(summed_width) > 4 and (width < summed_width).all()
    chart = demand_views.demand_chart(UnitOfWork(), dashboard_views.current_plan(UnitOfWork()).demand_version_id,
                                      Node(), "units", "week")
    planned = chart[chart.p10.notna()]
    assert ((planned.p10 <= planned.statistical) & (planned.statistical <= planned.p90)).all()


def test_revenue_and_the_monthly_view_keep_the_summed_band_and_say_why(app_db):
    at = demand_page()
    at.radio(key="dm_measure").set_value("revenue").run()
    assert band(at)[0] == SUMMED
    assert "The reconciled P10-P90 is drawn in units in the weekly view" in texts(at)
    at.radio(key="dm_measure").set_value("units").run()
    at.radio(key="dm_bucket").set_value("month").run()
    assert band(at)[0] == "P10-P90: sum of the SKU and weekly P10s and P90s (wider than the truth)"
    assert "quantiles of weeks do not add up into months" in texts(at)
    at.radio(key="dm_bucket").set_value("week").run()
    assert band(at)[0] == RECONCILED


def test_meeting_mode_shows_the_reconciled_band_in_units_by_week(app_db):
    at = logged_in("executive").run()
    at.switch_page("../pages/meeting.py").run()
    at.button(key="mt_next").click().run()  # the demand step
    assert not at.exception, at.exception
    assert band(at)[0] == "P10-P90: sum of the SKU and weekly P10s and P90s (wider than the truth)"
    assert "The reconciled P10-P90 is drawn in units in the weekly view" in texts(at)
    at.button_group(key="mt_demand_view").set_value("Units by week").run()
    assert not at.exception, at.exception
    name, p10, _ = band(at)
    own, _ = run_bands()
    assert name == RECONCILED and p10 == pytest.approx(own.p10.to_numpy())
    assert "The band is this node's reconciled P10-P90 from the forecast run" in texts(at)
