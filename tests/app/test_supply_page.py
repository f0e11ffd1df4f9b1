"""The Supply review page in AppTest: every role renders, a supply planner changes receipts and
applies proposals, released orders stay as imported, and the version goes through approval."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from genxsop_core.domain.permissions import ROLES
from tests.app.conftest import logged_in, texts

EDITORS = ("admin", "supply_planner")
WRITE_BUTTONS = ("sp_save", "sp_apply", "sp_create")


def supply_page(role: str):
    at = logged_in(role).run()
    at.switch_page("../pages/supply.py").run()
    assert not at.exception, at.exception
    return at


def trace(at, name: str) -> np.ndarray:
    """The y values of the first chart's trace called `name` (plotly ships numpy arrays base64-encoded)."""
    for chart in at.get("plotly_chart"):
        for t in json.loads(chart.proto.spec)["data"]:
            if t.get("name") == name:
                y = t["y"]
                return (np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float)
                        if isinstance(y, dict) else np.array(y, dtype=float))
    raise AssertionError(f"no chart has a {name!r} trace")


def receipt_grids(at) -> list:
    """The receipts grid(s) of the page: its data editors but the Balance tab's priority table."""
    return [editor for editor in at.data_editor if editor.key.startswith("sp_grid")]


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def units(value: str) -> int:
    return int(value.replace(",", ""))


def edit(at, key: str, row: int, receipts: float) -> None:
    at.session_state[key] = {"edited_rows": {row: {"planned_receipts": receipts}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception


def pick_sku(at, sku: str) -> None:
    at.selectbox(key="sp_family").set_value("Juice").run()
    at.selectbox(key="sp_sku").set_value(sku).run()
    assert not at.exception, at.exception


def proposal_rows(at) -> int:
    """Rows of the proposal table (0 when the page says there is nothing to propose)."""
    table = next((d.value for d in at.dataframe if {"added", "proposed"} <= set(d.value.columns)), None)
    return 0 if table is None else len(table)


@pytest.mark.parametrize("role", ROLES)
def test_renders_for_every_role_and_only_supply_editors_get_the_grid(app_db, role):
    at = supply_page(role)
    assert "Supply review" in [t.value for t in at.title]
    assert at.selectbox(key="sp_version").value is not None  # the demo's current draft
    editable = role in EDITORS
    assert bool(receipt_grids(at)) is editable
    keys = {b.key for b in at.button}
    if editable:
        assert {"sp_save", "sp_apply", "sp_submit"} <= keys
    else:
        assert not keys & set(WRITE_BUTTONS), keys
        assert any({"planned_receipts", "firm"} <= set(d.value.columns) for d in at.dataframe)
        assert "supply planners and admins change it" in texts(at)


def test_a_supply_planner_changes_a_planned_receipt_and_the_projection_moves(app_db):
    at = supply_page("supply_planner")
    at.selectbox(key="sp_family").set_value("Juice").run()
    options = at.selectbox(key="sp_sku").options
    assert options[0] == "All" and all(" · " in o for o in options[1:])  # "SKU · name"
    sku = options[1].split(" · ")[0]
    pick_sku(at, sku)
    grid = receipt_grids(at)[0].value
    assert set(grid.sku) == {sku} and grid.period.is_monotonic_increasing
    row = int(np.flatnonzero(~grid.firm.to_numpy(dtype=bool))[0])
    before = trace(at, "Projected inventory")
    assert len(before) == len(grid)
    added = 750.0
    new_value = float(grid.planned_receipts[row]) + added
    edit(at, "sp_grid_0", row, new_value)
    save = at.button(key="sp_save")
    assert save.label == "Save 1 change"
    save.click().run()
    assert not at.exception, at.exception
    assert "Saved: 1 cell changed." in [s.value for s in at.success]
    assert receipt_grids(at)[0].key == "sp_grid_1"  # a fresh grid from the database
    saved = receipt_grids(at)[0].value
    assert saved.planned_receipts[row] == pytest.approx(new_value)
    assert saved.author[row] == "supply"
    change = trace(at, "Projected inventory") - before
    assert change[:row] == pytest.approx(np.zeros(row))
    assert change[row:] == pytest.approx(np.full(len(change) - row, added))


def test_a_selection_too_large_for_a_grid_asks_for_a_narrower_one_and_the_other_tabs_still_work(
        app_db, monkeypatch):
    monkeypatch.setattr("genxsop_core.supply.views.GRID_MAX_SKUS", 20)  # the demo has 128 SKUs, Juice 11
    at = supply_page("supply_planner")
    assert not receipt_grids(at)
    assert any("All products holds 128 SKUs" in i.value and "at most 20" in i.value for i in at.info)
    assert "sp_apply" in {b.key for b in at.button} or "Nothing to propose" in texts(at)  # the tabs after it ran
    assert at.get("plotly_chart")  # the capacity heatmap
    at.selectbox(key="sp_family").set_value("Juice").run()
    assert not at.exception, at.exception
    assert receipt_grids(at) and not [i for i in at.info if "SKUs" in i.value and "at most" in i.value]


def test_a_released_order_is_refused_and_nothing_changes(app_db):
    at = supply_page("supply_planner")
    at.selectbox(key="sp_family").set_value("Juice").run()
    family_grid = receipt_grids(at)[0].value
    released = family_grid[family_grid.firm.astype(bool)]
    assert len(released), "the demo's Juice family has released (firm) orders"
    pick_sku(at, released.sku.iloc[0])
    grid = receipt_grids(at)[0].value
    row = int(np.flatnonzero(grid.firm.to_numpy(dtype=bool))[0])
    before_line, before_total = trace(at, "Projected inventory"), metric(at, "Planned receipts")
    edit(at, "sp_grid_0", row, float(grid.planned_receipts[row]) + 500)
    at.button(key="sp_save").click().run()
    assert not at.exception, at.exception
    assert any("released orders" in e.value for e in at.error), [e.value for e in at.error]
    assert not [s for s in at.success if s.value.startswith("Saved")]
    assert trace(at, "Projected inventory") == pytest.approx(before_line)
    assert metric(at, "Planned receipts") == before_total
    fresh = supply_page("supply_planner")
    pick_sku(fresh, released.sku.iloc[0])
    reloaded = receipt_grids(fresh)[0].value
    assert reloaded.planned_receipts[row] == pytest.approx(grid.planned_receipts[row])
    assert reloaded.author[row] == grid.author[row]


def test_applying_the_proposed_receipts_does_not_add_stockouts(app_db):
    at = supply_page("supply_planner")
    stockouts = units(metric(at, "SKUs projected to stock out"))
    if not [b for b in at.button if b.key == "sp_apply"]:
        assert "Nothing to propose" in texts(at)
        return
    apply = at.button(key="sp_apply")
    proposed = int(apply.label.split()[1].replace(",", ""))
    assert proposal_rows(at) == proposed
    apply.click().run()
    assert not at.exception, at.exception
    assert f"Applied {proposed:,} proposed receipt{'' if proposed == 1 else 's'}." in [s.value for s in at.success]
    assert proposal_rows(at) < proposed
    assert units(metric(at, "SKUs projected to stock out")) <= stockouts


def effect_shown(at) -> dict[str, tuple[str, str]]:
    """The table of what applying the proposal does: figure -> (now, with the proposal)."""
    table = next(d.value for d in at.dataframe if "with_proposal" in d.value.columns)
    return {r.figure: (r.now, r.with_proposal) for r in table.itertuples()}


def test_what_applying_does_is_shown_before_applying_and_comes_true(app_db):
    at = supply_page("supply_planner")
    assert [b for b in at.button if b.key == "sp_apply"], "the demo's draft has receipts to propose"
    assert "load stays level" not in texts(at) and "does not look at capacity" in texts(at)
    shown = effect_shown(at)
    assert list(shown) == ["SKUs projected to stock out", "SKUs below safety stock", "SKUs with excess",
                           "Overloaded resource-periods", "Money at risk", "Average projected inventory value"]
    tiles = ("SKUs projected to stock out", "Overloaded resource-periods")
    for tile in tiles:  # "now" is the plan the tiles show
        assert units(shown[tile][0]) == units(metric(at, tile)), tile
    raised = [figure for figure, (now, then) in shown.items() if units(then.lstrip("€$£")) > units(now.lstrip("€$£"))]
    warnings = [w.value for w in at.warning if w.value.startswith("Applying these receipts also raises")]
    assert bool(warnings) is bool(raised)
    for figure in raised:
        assert figure[1:] in warnings[0], (figure, warnings)
    at.button(key="sp_apply").click().run()
    assert not at.exception, at.exception
    for tile in tiles:  # the figures shown before applying are the plan's after it
        assert units(metric(at, tile)) == units(shown[tile][1]), tile


def test_submit_then_approve_makes_the_supply_plan_read_only(app_db):
    at = supply_page("supply_planner")
    at.button(key="sp_submit").click().run()
    assert not at.exception, at.exception
    assert any("is now submitted" in s.value for s in at.success)
    assert not receipt_grids(at)
    assert "submitted and read-only" in texts(at)
    assert not [b for b in at.button if b.key in ("sp_save", "sp_apply", "sp_submit")]
    coordinator = supply_page("coordinator")
    coordinator.button(key="sp_approve").click().run()
    assert not coordinator.exception, coordinator.exception
    assert any("is now approved" in s.value for s in coordinator.success)
    again = supply_page("supply_planner")
    assert not receipt_grids(again)
    assert "approved and read-only" in texts(again)
    assert not [b for b in again.button if b.key in ("sp_save", "sp_apply", "sp_send_back", "sp_approve")]
