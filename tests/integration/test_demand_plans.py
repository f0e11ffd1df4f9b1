"""Consensus demand plans on a real database: versions from a run, overrides, locks, status, accuracy, export."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from genxsop_core.admin.audit import search_audit
from genxsop_core.bootstrap import SYSTEM
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import views as demand_views
from genxsop_core.demand.accuracy import FORECAST_STEPS
from genxsop_core.demand.plans import OverrideEdit
from genxsop_core.demand.views import Node
from genxsop_core.demo import plans as demo_plans
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from genxsop_core.domain.permissions import Actor
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.io import importer
from genxsop_core.persistence.repositories import AuditFilter
from tests.conftest import actor_with
from tests.integration.test_import_service import table_counts

PLANNER = actor_with("demand_planner")
COORDINATOR = actor_with("coordinator")
AUDITOR = Actor("alice", ("admin",))
JUICE = Node("family", "Juice")
HORIZON = 4


def finished_run(uow_factory) -> int:
    """A real naive forecast of the Juice family, 4 weeks ahead."""
    run_id = forecast_runs.request_run(uow_factory(), PLANNER, forecast_runs.ForecastRequest(
        "family", ("Juice",), "naive", HORIZON))
    forecast_runs.execute_run(uow_factory, run_id, workers=1)
    assert forecast_views.get_run(uow_factory(), run_id).status == "done"
    return run_id


def cycle_month_of(uow_factory, run_id: int) -> date:
    """The month the run's first forecast week falls in: the cycle its plan belongs to."""
    with uow_factory() as uow:
        results = uow.forecast_runs.results(run_id, future_only=True)
    first = pd.Timestamp(results.period.min())
    return first.to_period("M").to_timestamp().date()


@pytest.fixture
def draft(demo) -> int:
    """A draft consensus plan made by the planner from a finished Juice run."""
    run_id = finished_run(demo)
    return demand_plans.create_version(demo(), PLANNER, run_id, cycle_month_of(demo, run_id))


def plan_rows(uow_factory, version_id: int) -> pd.DataFrame:
    with uow_factory() as uow:
        return uow.demand_plans.frame([version_id])


def grid(uow_factory, version_id: int, level: str = "sku") -> pd.DataFrame:
    return demand_views.override_grid(uow_factory(), version_id, JUICE, level)


def edit(row: pd.Series, value: float | None, reason: str | None = "PROMO", comment: str = "x",
         level: str = "sku") -> OverrideEdit:
    """The edit a planner makes on a grid row they loaded."""
    return OverrideEdit(level=level, key=row["item"], period=row["period"].date(), value=value,
                        reason_code=reason, comment=comment, seen_token=row["token"],
                        seen_consensus=float(row["consensus"]))


def cell(frame: pd.DataFrame, sku: str, period: pd.Timestamp) -> pd.Series:
    return frame[(frame.sku == sku) & (frame.period == period)].iloc[0]


def audit(uow_factory, entity: str) -> list:
    """The audit entries of one entity, oldest first."""
    return list(reversed(search_audit(uow_factory(), AUDITOR, AuditFilter(entity=entity))))


def test_a_version_copies_a_finished_run_opens_its_cycle_and_is_audited(demo, database_url):
    run_id = finished_run(demo)
    month = cycle_month_of(demo, run_id)
    version_id = demand_plans.create_version(demo(), PLANNER, run_id, month)

    skus = forecast_views.run_skus(demo(), run_id)
    rows = plan_rows(demo, version_id)
    assert len(rows) == len(skus) * HORIZON and sorted(rows.sku.unique()) == skus
    assert rows.groupby("sku").period.nunique().eq(HORIZON).all()
    assert (rows.statistical == rows.consensus).all()
    assert rows.override.isna().all() and rows.reason_code.isna().all() and rows.comment.isna().all()
    with demo() as uow:
        results = uow.forecast_runs.results(run_id)
        version = uow.plans.get(version_id)
        cycle = uow.plans.cycle_by_month(month)
        assert cycle is not None and cycle.name == f"S&OP {month:%Y-%m}"
        assert (version.cycle_id, version.status, version.source_run_id, version.created_by) == (
            cycle.id, "draft", run_id, PLANNER.username)
        cycle_name = cycle.name
    forecast = results[results.model == "naive"].assign(period=lambda f: pd.to_datetime(f.period))
    copied = rows.merge(forecast, on=["sku", "period"])
    assert len(copied) == len(rows) and (copied.statistical == copied["mean"]).all()
    listed = demand_views.list_versions(demo()).set_index("id").loc[version_id]
    assert (listed.status, listed.cycle, listed.created_by) == ("draft", cycle_name, PLANNER.username)

    created = audit(demo, "plan_version")
    assert [(e.action, e.username, e.key) for e in created] == [("create", PLANNER.username, str(version_id))]
    assert created[0].after["status"] == "draft" and created[0].after["source_run_id"] == run_id
    assert (created[0].after["skus"], created[0].after["periods"]) == (len(skus), HORIZON)
    assert [(e.action, e.key) for e in audit(demo, "sop_cycle")] == [("create", cycle_name)]

    queued = forecast_runs.request_run(demo(), PLANNER, forecast_runs.ForecastRequest(
        "family", ("Juice",), "naive", HORIZON))
    before = table_counts(database_url)
    with pytest.raises(Conflict, match=f"S&OP {month:%Y-%m} already has demand plan version {version_id}"):
        demand_plans.create_version(demo(), PLANNER, run_id, month.replace(day=15))  # same month, other day
    with pytest.raises(NotFound, match="forecast run 9999 does not exist"):
        demand_plans.create_version(demo(), PLANNER, 9999, date(2031, 1, 1))
    with pytest.raises(InvalidInput, match=f"forecast run {queued} is queued"):
        demand_plans.create_version(demo(), PLANNER, queued, date(2031, 1, 1))
    assert table_counts(database_url) == before  # no second cycle, version, row or audit record


def test_a_sku_override_sets_the_consensus_and_records_before_and_after(demo, draft):
    loaded = grid(demo, draft)
    row = loaded.iloc[HORIZON + 1]  # second SKU, second week
    assert demand_plans.save_overrides(demo(), PLANNER, draft, [edit(row, 123.0, comment=" x ")]) == 1

    rows = plan_rows(demo, draft)
    saved = cell(rows, row["item"], row["period"])
    assert (saved.consensus, saved.override, saved.reason_code, saved.comment, saved.author) == (
        123.0, 123.0, "PROMO", "x", PLANNER.username)
    assert saved.statistical == row["statistical"] and saved.row_version == 2
    others = rows[(rows.sku != row["item"]) | (rows.period != row["period"])]
    assert (others.consensus == others.statistical).all() and others.override.isna().all()

    reloaded = grid(demo, draft).set_index(["item", "period"]).loc[(row["item"], row["period"])]
    assert (reloaded.override, reloaded.consensus, reloaded.author, reloaded.token) == (
        123.0, 123.0, PLANNER.username, "2")

    entries = audit(demo, "demand_plan")
    assert [(e.action, e.username, e.key) for e in entries] == [("override", PLANNER.username, str(draft))]
    key = f"{row['item']}|{row['period']:%Y-%m-%d}"
    assert set(entries[0].before) == set(entries[0].after) == {key}
    assert entries[0].before[key] == {"override": None, "consensus": row["statistical"], "reason_code": None,
                                      "comment": None}
    assert entries[0].after[key] == {"override": 123.0, "consensus": 123.0, "reason_code": "PROMO", "comment": "x",
                                     "via": f"sku {row['item']}"}


def test_a_family_override_is_split_in_proportion_to_the_statistical_forecast(demo, draft):
    family_row = grid(demo, draft, "family").iloc[1]
    period = family_row["period"]
    preview = demand_views.split_preview(demo(), draft, "family", "Juice", period.date(), 1000.0)
    assert preview.new_consensus.sum() == pytest.approx(1000.0)
    assert preview.share.sum() == pytest.approx(1.0)

    changed = demand_plans.save_overrides(demo(), PLANNER, draft, [
        edit(family_row, 1000.0, reason="CUSTOMER", comment="Tender won", level="family")])

    rows = plan_rows(demo, draft)
    week = rows[rows.period == period].set_index("sku")
    assert changed == len(week) == len(preview)
    assert week.consensus.sum() == pytest.approx(1000.0)
    assert week.consensus.to_numpy() == pytest.approx(
        (week.statistical * 1000.0 / week.statistical.sum()).to_numpy())
    assert week.consensus.loc[preview.sku].to_numpy() == pytest.approx(preview.new_consensus.to_numpy())
    assert (week.override == week.consensus).all()
    assert set(week.reason_code) == {"CUSTOMER"} and set(week.comment) == {"Tender won"}
    rest = rows[rows.period != period]
    assert (rest.consensus == rest.statistical).all() and rest.override.isna().all()

    family = grid(demo, draft, "family").set_index("period").loc[period]
    assert family.override == pytest.approx(1000.0) and family.consensus == pytest.approx(1000.0)
    chart = demand_views.demand_chart(demo(), draft, JUICE).set_index("period")
    assert chart.consensus.loc[period] == pytest.approx(1000.0)
    assert chart.statistical.loc[period] == pytest.approx(family_row["statistical"])
    entry = audit(demo, "demand_plan")[-1]
    assert len(entry.after) == len(week) and {a["via"] for a in entry.after.values()} == {"family Juice"}


def test_removing_an_override_restores_the_statistical_forecast(demo, draft):
    row = grid(demo, draft).iloc[0]
    demand_plans.save_overrides(demo(), PLANNER, draft, [edit(row, 500.0)])
    overridden = grid(demo, draft).iloc[0]
    assert overridden.override == 500.0

    assert demand_plans.save_overrides(demo(), PLANNER, draft, [edit(overridden, None, reason=None,
                                                                     comment="")]) == 1

    saved = cell(plan_rows(demo, draft), row["item"], row["period"])
    assert saved.consensus == saved.statistical == row["statistical"]
    assert pd.isna(saved.override) and saved.reason_code is None and saved.comment is None
    assert saved.row_version == 3 and saved.author == PLANNER.username
    entry = audit(demo, "demand_plan")[-1]
    key = f"{row['item']}|{row['period']:%Y-%m-%d}"
    assert entry.before[key]["override"] == 500.0 and entry.after[key]["override"] is None
    assert entry.after[key]["consensus"] == row["statistical"]
    assert pd.isna(grid(demo, draft).iloc[0].override)


INVALID = [  # (what the planner got wrong, what the refusal says)
    ({"reason": None}, "a reason code is required"),
    ({"comment": "   "}, "a comment is required"),
    ({"reason": "GUESS"}, "unknown reason code 'GUESS'"),
    ({"value": -5.0}, "the override must be a number of units, 0 or more (got -5.0)"),
    ({"value": float("nan")}, "the override must be a number of units, 0 or more (got nan)"),
]


def test_invalid_overrides_are_refused_naming_item_and_period_and_nothing_is_written(demo, draft):
    """One database for all cases (seeding is the slow part); each batch also holds a valid edit."""
    loaded = grid(demo, draft)
    good, bad = loaded.iloc[0], loaded.iloc[HORIZON + 2]
    before = plan_rows(demo, draft)
    where = f"sku {bad['item']}, {bad['period']:%Y-%m-%d}: "
    for changes, problem in INVALID:
        invalid = edit(bad, changes.get("value", 50.0), reason=changes.get("reason", "PROMO"),
                       comment=changes.get("comment", "x"))
        with pytest.raises(InvalidInput) as caught:
            demand_plans.save_overrides(demo(), PLANNER, draft, [edit(good, 77.0), invalid])
        assert str(caught.value) == where + problem, changes
        pd.testing.assert_frame_equal(plan_rows(demo, draft), before)

    other = loaded.iloc[1]
    with pytest.raises(InvalidInput) as caught:  # every problem of a save is listed at once
        demand_plans.save_overrides(demo(), PLANNER, draft, [edit(other, 10.0, reason=None),
                                                             edit(bad, -1.0, comment="")])
    assert str(caught.value) == "; ".join([
        f"sku {other['item']}, {other['period']:%Y-%m-%d}: a reason code is required",
        where + "the override must be a number of units, 0 or more (got -1.0)",
        where + "a comment is required"])
    pd.testing.assert_frame_equal(plan_rows(demo, draft), before)
    assert audit(demo, "demand_plan") == []


def test_a_stale_grid_is_refused_as_a_whole_naming_both_values(demo, draft):
    dana, dana2 = PLANNER, Actor("dana2", ("demand_planner",))
    first_grid, second_grid = grid(demo, draft), grid(demo, draft)
    contested, untouched = second_grid.iloc[0], second_grid.iloc[HORIZON + 3]
    demand_plans.save_overrides(demo(), dana, draft, [edit(first_grid.iloc[0], 200.0)])
    before = plan_rows(demo, draft)

    with pytest.raises(Conflict) as caught:
        demand_plans.save_overrides(demo(), dana2, draft, [edit(contested, 300.0), edit(untouched, 40.0)])

    message = str(caught.value)
    assert "nothing was saved" in message
    assert f"sku {contested['item']}, {contested['period']:%Y-%m-%d}" in message
    assert "entered 300" in message and f"{dana.username} saved 200" in message
    assert f"you loaded {contested['consensus']:,.0f}" in message
    assert untouched["item"] not in message  # only the stale cell is named
    after = plan_rows(demo, draft)
    pd.testing.assert_frame_equal(after, before)
    assert cell(after, contested["item"], contested["period"]).consensus == 200.0
    assert pd.isna(cell(after, untouched["item"], untouched["period"]).override)
    assert [e.username for e in audit(demo, "demand_plan")] == [dana.username]

    stale_family = grid(demo, draft, "family")  # loaded after dana's save: fresh
    demand_plans.save_overrides(demo(), dana, draft, [edit(grid(demo, draft).iloc[1], 10.0)])
    with pytest.raises(Conflict, match="family Juice"):  # a SKU saved under the family makes its row stale
        demand_plans.save_overrides(demo(), dana2, draft, [edit(stale_family.iloc[1], 999.0, level="family")])

    reloaded = grid(demo, draft)
    assert demand_plans.save_overrides(demo(), dana2, draft, [edit(reloaded.iloc[0], 300.0)]) == 1
    assert cell(plan_rows(demo, draft), contested["item"], contested["period"]).author == dana2.username


def test_a_save_that_loses_the_race_after_the_token_check_is_a_conflict_too(demo, draft, monkeypatch):
    """Two saves pass the token check together; the row version check at write time stops the second."""
    row = grid(demo, draft).iloc[0]
    check_tokens = demand_plans._check_tokens
    raced = []

    def another_planner_saves_first(*args):
        check_tokens(*args)
        if not raced:
            raced.append(True)
            demand_plans.save_overrides(demo(), Actor("dana2", ("demand_planner",)), draft, [edit(row, 200.0)])

    monkeypatch.setattr(demand_plans, "_check_tokens", another_planner_saves_first)
    with pytest.raises(Conflict, match="another planner saved some of these cells while you were saving"):
        demand_plans.save_overrides(demo(), PLANNER, draft, [edit(row, 300.0)])

    saved = cell(plan_rows(demo, draft), row["item"], row["period"])
    assert (saved.consensus, saved.author, saved.row_version) == (200.0, "dana2", 2)
    assert [e.username for e in audit(demo, "demand_plan")] == ["dana2"]


def test_status_moves_draft_submitted_approved_and_approved_is_read_only(demo, draft):
    row = grid(demo, draft).iloc[0]
    assert demand_plans.change_status(demo(), PLANNER, draft, "submit") == "submitted"
    with pytest.raises(Conflict, match="is submitted and read-only"):
        demand_plans.save_overrides(demo(), PLANNER, draft, [edit(row, 10.0)])
    assert demand_plans.change_status(demo(), PLANNER, draft, "send_back", note="check promo") == "draft"
    assert demand_plans.change_status(demo(), PLANNER, draft, "submit") == "submitted"
    for outsider in (actor_with("viewer"), PLANNER):
        with pytest.raises(PermissionDenied):
            demand_plans.change_status(demo(), outsider, draft, "approve")
    with pytest.raises(InvalidInput, match="unknown status change 'publish'"):
        demand_plans.change_status(demo(), COORDINATOR, draft, "publish")

    assert demand_plans.change_status(demo(), COORDINATOR, draft, "approve", note="ok") == "approved"

    with demo() as uow:
        version = uow.plans.get(draft)
        assert (version.status, version.approved_by) == ("approved", COORDINATOR.username)
        assert version.approved_at is not None
    with pytest.raises(Conflict, match="read-only"):
        demand_plans.save_overrides(demo(), PLANNER, draft, [edit(row, 10.0)])
    with pytest.raises(Conflict, match="'approve' applies only to a submitted version"):
        demand_plans.change_status(demo(), COORDINATOR, draft, "approve")
    with pytest.raises(Conflict, match="'send back' applies only to a submitted version"):
        demand_plans.change_status(demo(), PLANNER, draft, "send_back")
    with pytest.raises(NotFound):
        demand_plans.change_status(demo(), COORDINATOR, 9999, "approve")
    assert cell(plan_rows(demo, draft), row["item"], row["period"]).row_version == 1

    changes = [e for e in audit(demo, "plan_version") if e.action != "create"]
    assert [(e.action, e.username, e.before["status"], e.after["status"]) for e in changes] == [
        ("submit", PLANNER.username, "draft", "submitted"),
        ("send_back", PLANNER.username, "submitted", "draft"),
        ("submit", PLANNER.username, "draft", "submitted"),
        ("approve", COORDINATOR.username, "submitted", "approved")]
    assert changes[1].after["note"] == "check promo"
    assert changes[3].before["approved_by"] is None and changes[3].after["approved_by"] == COORDINATOR.username
    listed = demand_views.list_versions(demo()).set_index("id").loc[draft]
    assert (listed.status, listed.approved_by) == ("approved", COORDINATOR.username)


def test_only_demand_planners_and_admins_create_and_override(demo, draft, database_url):
    run_id = finished_run(demo)
    row = grid(demo, draft).iloc[0]
    before_counts, before_rows = table_counts(database_url), plan_rows(demo, draft)
    for role in ("viewer", "supply_planner", "executive", "coordinator"):
        outsider = actor_with(role)
        with pytest.raises(PermissionDenied, match=f"{outsider.username} \\({role}\\) may not demand plan"):
            demand_plans.create_version(demo(), outsider, run_id, date(2031, 1, 1))
        with pytest.raises(PermissionDenied):
            demand_plans.save_overrides(demo(), outsider, draft, [edit(row, 10.0)])
        with pytest.raises(PermissionDenied):
            demand_plans.change_status(demo(), outsider, draft, "submit")
    assert table_counts(database_url) == before_counts
    pd.testing.assert_frame_equal(plan_rows(demo, draft), before_rows)
    admin_edit = demand_plans.save_overrides(demo(), Actor("root", ("admin",)), draft, [edit(row, 10.0)])
    assert admin_edit == 1


def test_an_approved_past_plan_is_a_lag_snapshot_scored_with_value_added(demo):
    with demo() as uow:
        skus = uow.demand.skus_in_scope("family", ["Juice"])
        history = uow.demand.history(skus).rename(columns={"unique_id": "sku", "ds": "period", "y": "actual"})
    weeks = sorted(history.period.unique())[-6:]
    past = history[history.period.isin(weeks)]
    forecast = past.assign(statistical=past.actual * 1.1)[["sku", "period", "statistical"]]
    with demo() as uow:
        version_id = demand_plans.insert_version(uow, PLANNER, forecast, pd.Timestamp(weeks[0]).date(),
                                                 "Past plan", None)
        uow.commit()
    assert demand_views.lag_frame(demo(), skus).empty  # a draft is no snapshot
    loaded = grid(demo, version_id).merge(past.rename(columns={"sku": "item"}), on=["item", "period"])
    demand_plans.save_overrides(demo(), PLANNER, version_id, [
        edit(row, float(row["actual"]), reason="CORRECTION", comment="planner knew") for _, row in loaded.iterrows()])
    demand_plans.change_status(demo(), PLANNER, version_id, "submit")
    assert demand_views.lag_frame(demo(), skus).empty
    demand_plans.change_status(demo(), COORDINATOR, version_id, "approve")

    frame = demand_views.lag_frame(demo(), skus)
    assert list(frame.columns) == ["version_id", "sku", "family", "category", "period", "lag", "actual", "naive",
                                   "statistical", "consensus"]
    assert len(frame) == len(skus) * 6 and set(frame.version_id) == {version_id}
    assert sorted(frame.lag.unique()) == [1, 2, 3, 4, 5, 6]
    assert (frame.groupby("lag").period.nunique() == 1).all()
    assert frame[frame.lag == 1].period.iloc[0] == weeks[0]
    checked = frame.merge(past, on=["sku", "period"], suffixes=("", "_history"))
    assert len(checked) == len(frame) and (checked.actual == checked.actual_history).all()
    assert checked.statistical.to_numpy() == pytest.approx((checked.actual * 1.1).to_numpy())
    assert (checked.consensus == checked.actual).all()
    last_before = history[history.period < weeks[0]].groupby("sku").actual.last()
    assert (frame.naive == frame.sku.map(last_before)).all()

    panel = demand_views.accuracy_panel(demo(), JUICE, "sku", lag=1)
    assert panel.lags == [1, 2, 3, 4, 5, 6]
    assert len(panel.by_lag) == len(skus) and set(panel.by_lag.lag) == {1}
    assert (panel.by_lag.wape == 0).all()
    steps = panel.value_added.set_index("step")
    assert tuple(steps.index) == FORECAST_STEPS
    at_lag_1 = frame[frame.lag == 1]
    naive_wape = (at_lag_1.naive - at_lag_1.actual).abs().sum() / at_lag_1.actual.abs().sum()
    assert steps.wape.to_dict() == pytest.approx({"naive": naive_wape, "statistical": 0.1, "consensus": 0.0})
    assert steps.fva.loc["statistical"] == pytest.approx(naive_wape - 0.1)
    assert steps.fva.loc["consensus"] == pytest.approx(0.1)
    assert panel.flagged.empty  # a perfect consensus is never flagged
    family_panel = demand_views.accuracy_panel(demo(), JUICE, "family")
    assert set(family_panel.by_lag.family) == {"Juice"} and len(family_panel.by_lag) == 6


def test_the_plan_exports_to_csv_and_xlsx_with_comments_neutralised(demo, draft):
    row = grid(demo, draft).iloc[2]
    formula = '=HYPERLINK("http://evil.example","click")'
    demand_plans.save_overrides(demo(), PLANNER, draft, [edit(row, 42.0, comment=formula)])
    rows = plan_rows(demo, draft)

    content, filename = demand_views.plan_export(demo(), draft, "csv")

    assert filename == f"demand_plan_{draft}.csv"
    exported = pd.read_csv(io.BytesIO(content), parse_dates=["period"])
    assert list(exported.columns) == ["version", "sku", "name", "category", "family", "period", "statistical",
                                      "override", "consensus", "reason_code", "comment", "author", "updated_at"]
    assert len(exported) == len(rows)
    pd.testing.assert_frame_equal(exported[["sku", "period", "statistical", "consensus"]],
                                  rows[["sku", "period", "statistical", "consensus"]], check_dtype=False)
    overridden = exported[exported.override.notna()]
    assert len(overridden) == 1 and overridden.iloc[0].comment == "'" + formula
    assert overridden.iloc[0].consensus == 42.0 and overridden.iloc[0].author == PLANNER.username
    assert set(exported.version) == {demand_views.list_versions(demo()).set_index("id").name.loc[draft]}

    workbook, xlsx_name = demand_views.plan_export(demo(), draft, "xlsx")
    assert xlsx_name == f"demand_plan_{draft}.xlsx"
    sheet = pd.read_excel(io.BytesIO(workbook))
    assert len(sheet) == len(rows) and sheet.comment.dropna().tolist() == ["'" + formula]
    with pytest.raises(NotFound):
        demand_views.plan_export(demo(), 9999, "csv")


def test_a_family_override_still_works_after_a_new_sku_joins_the_family(demo, draft):
    importer.import_file(demo(), SYSTEM, "products", "new_sku.csv",
                         b"sku,name,category,family,unit_cost,unit_price\nBEV-JUI-099,Lime 330ml,Beverages,Juice,1,2\n")
    family_row = grid(demo, draft, "family").iloc[0]
    preview = demand_views.split_preview(demo(), draft, "family", "Juice", family_row["period"].date(), 1000.0)
    assert "BEV-JUI-099" not in set(preview.sku)

    demand_plans.save_overrides(demo(), PLANNER, draft, [edit(family_row, 1000.0, level="family")])

    week = plan_rows(demo, draft).pipe(lambda f: f[f.period == family_row["period"]]).set_index("sku")
    assert week.consensus.loc[preview.sku].to_numpy() == pytest.approx(preview.new_consensus.to_numpy())


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a full auto run: once is enough
def test_the_demo_planning_history_has_three_approved_cycles_and_a_current_draft(demo):
    *ids, supply_id = demo_plans.seed_demo_plans(demo, SYSTEM, "week", workers=1)

    assert len(ids) == 4
    with demo() as uow:  # the current cycle also has a supply draft for its consensus plan
        supply = uow.plans.get(supply_id)
        assert (supply.kind, supply.status, supply.demand_version_id) == ("supply", "draft", ids[3])
    cycles = cycle.list_cycles(demo()).sort_values("month")
    assert cycles.stage.tolist() == ["closed"] * 3 + ["demand_review"]  # data gathering signed off by the planner
    versions = demand_views.list_versions(demo()).set_index("id").loc[ids]
    assert versions.status.tolist() == ["approved", "approved", "approved", "draft"]
    assert versions.cycle_month.is_monotonic_increasing and versions.cycle_month.is_unique
    assert versions.source_run_id.iloc[:3].isna().all()
    run = forecast_views.get_run(demo(), int(versions.source_run_id.iloc[3]))
    assert run.status == "done" and run.model == "auto"
    frame = demand_views.lag_frame(demo())
    assert not frame.empty and set(frame.version_id) == set(ids[:3]) and frame.lag.min() == 1
    promo = plan_rows(demo, ids[0]).dropna(subset=["override"])
    assert not promo.empty and set(promo.reason_code) == {"PROMO"}
    assert promo.consensus.to_numpy() == pytest.approx((promo.statistical * demo_plans.PROMO_UPLIFT).to_numpy())


def _chart_from_sku_rows(uow_factory, version_id: int, run_id: int, previous: int, node: Node, measure: str,
                         bucket: str) -> pd.DataFrame:
    """The chart added up in pandas from every SKU's own rows: the oracle for the database's sums."""
    with uow_factory() as uow:
        skus = node.skus(uow.demand.hierarchy())
        prices = uow.products.prices()
        history = uow.demand.history(skus).rename(columns={"unique_id": "sku", "ds": "period", "y": "actual"})
        plan = uow.demand_plans.frame([version_id], skus)
        band = uow.forecast_runs.results(run_id, skus, future_only=True)
        last = uow.demand_plans.frame([previous], skus).rename(columns={"consensus": "last_cycle"})
    parts = [history[["sku", "period", "actual"]], plan[["sku", "period", "statistical", "consensus"]],
             band.assign(period=pd.to_datetime(band.period))[["sku", "period", "p10", "p90"]],
             last[["sku", "period", "last_cycle"]]]
    long = pd.concat([p.melt(id_vars=["sku", "period"]) for p in parts], ignore_index=True)
    long["value"] = long["value"].astype(float) * (long.sku.map(prices).fillna(0.0) if measure == "revenue" else 1.0)
    if bucket == "month":
        long["period"] = long.period.dt.to_period("M").dt.to_timestamp()
    wide = long.pivot_table(index="period", columns="variable", values="value", aggfunc="sum", dropna=False)
    counted = long.dropna(subset=["value"]).pivot_table(index="period", columns="variable", values="value",
                                                        aggfunc="count")
    wide = wide.where(counted.reindex_like(wide).fillna(0) > 0)
    return wide.reindex(columns=demand_views.CHART_COLUMNS[1:]).reset_index().rename_axis(columns=None)


def _with_node_band(uow_factory, run_id: int, node: Node, expected: pd.DataFrame) -> pd.DataFrame:
    with uow_factory() as uow:
        own = uow.forecast_runs.node_results(run_id, node.level, node.key).set_index("period")
    return expected.assign(p10=expected.period.map(own.p10), p90=expected.period.map(own.p90))


def test_the_chart_the_database_adds_up_equals_the_sum_of_every_skus_rows(demo, draft):
    with demo() as uow:
        juice = uow.demand.skus_in_scope("family", ["Juice"])
        history = uow.demand.history(juice).rename(columns={"unique_id": "sku", "ds": "period", "y": "actual"})
        run_id = uow.plans.get(draft).source_run_id
    weeks = sorted(history.period.unique())[-6:]
    past = history[history.period.isin(weeks)]
    with demo() as uow:  # last cycle's plan: an approved Juice plan of an earlier month
        previous = demand_plans.insert_version(uow, PLANNER, past.assign(statistical=past.actual * 1.1)[
            ["sku", "period", "statistical"]], pd.Timestamp(weeks[0]).date(), "Past plan", None)
        uow.commit()
    demand_plans.change_status(demo(), PLANNER, previous, "submit")
    demand_plans.change_status(demo(), COORDINATOR, previous, "approve")
    row = grid(demo, draft).iloc[3]
    demand_plans.save_overrides(demo(), PLANNER, draft, [edit(row, float(row["consensus"]) + 40)])

    with demo() as uow:
        category = uow.products.get_by_sku(juice[0]).category
    for node in (Node(), Node("category", category), JUICE, Node("sku", juice[0])):
        for measure in demand_views.MEASURES:
            for bucket in demand_views.VIEW_BUCKETS:
                chart = demand_views.demand_chart(demo(), draft, node, measure, bucket)
                expected = _chart_from_sku_rows(demo, draft, run_id, previous, node, measure, bucket)
                reconciled = node.level != "sku" and measure == "units" and bucket == "week"
                assert (demand_views.band_of(chart) is demand_views.Band.RECONCILED) is reconciled
                if reconciled:  # the node's own band as the run stored it, not a sum
                    expected = _with_node_band(demo, run_id, node, expected)
                assert chart.last_cycle.notna().any() and chart.p10.notna().any()
                pd.testing.assert_frame_equal(chart[demand_views.CHART_COLUMNS], expected, check_dtype=False,
                                              rtol=1e-9, obj=f"{node} {measure} {bucket}")
