"""The rebalance switch in AppTest: on the What-if page and on meeting mode's scenario step, both
plans are balanced instead of cut to capacity (no overloaded resource-period is left), the
levers still move the strip, and the resource worth adding capacity to is named."""
from __future__ import annotations

import re

from tests.app.test_cycle_pages import open_page, run, step_to
from tests.app.test_scenarios_page import comparison, pin, scenarios_page


def strip(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_rebalancing_a_scenario_leaves_no_overload_and_the_levers_still_move_it(app_db):
    at = scenarios_page("executive")
    cut = strip(at)
    assert cut["Overloaded resource-periods"][0] != "0"  # the demo's plan cut to capacity is overloaded
    run(at.toggle(key="sc_rebalance").set_value(True))
    balanced = strip(at)
    assert balanced["Overloaded resource-periods"][0] == "0"
    assert balanced["Revenue"][0] != cut["Revenue"][0]
    worth = [i.value for i in at.info if "worth adding" in i.value]
    assert len(worth) <= 1 and all(re.match(r"Capacity is worth adding on \S+: one more hour", w) for w in worth)
    assert any({"resource", "hour_value_total"} <= set(d.value.columns) for d in at.dataframe)
    run(at.slider(key="sc_demand").set_value(-10))
    lower = strip(at)
    assert lower["Revenue"][1].startswith("-")  # against the balanced baseline
    assert lower["Overloaded resource-periods"][0] == "0"
    assert "figures above, of the balanced plan, marked rebalanced" in " ".join(c.value for c in at.caption)


def test_meeting_mode_rebalances_the_scenario_step(app_db):
    at = step_to(open_page("coordinator", "meeting"), 4)
    assert strip(at)["Overloaded resource-periods"][0] != "0"
    run(at.toggle(key="mt_rebalance").set_value(True))
    assert strip(at)["Overloaded resource-periods"][0] == "0"
    assert not at.error, [e.value for e in at.error]


def test_a_scenario_pinned_rebalanced_keeps_the_figures_the_planner_saw(app_db):
    """Pinned with the switch on, the comparison shows the balanced figures of the strip (not those
    of the cut-to-capacity rule) under a name marked rebalanced; one pinned with it off is not marked."""
    at = scenarios_page("executive")
    run(at.slider(key="sc_demand").set_value(-10))
    cut = strip(at)
    plain = pin(at, "Soft, cut")
    run(at.toggle(key="sc_rebalance").set_value(True))
    balanced = strip(at)
    balanced_id = pin(at, "Soft, balanced", "overtime on the lines")
    assert balanced["Revenue"][0] != cut["Revenue"][0]

    run(at.multiselect(key="sc_compare").set_value([balanced_id, plain]))
    table = comparison(at)
    marked, unmarked = f"Soft, balanced (#{balanced_id}, rebalanced)", f"Soft, cut (#{plain})"
    assert list(table.columns) == ["Baseline", marked, unmarked]
    for label in ("Revenue", "Fill rate", "Overloaded resource-periods", "Peak utilization"):
        assert table.loc[label, marked] == balanced[label][0], label  # what the strip showed
        assert table.loc[label, unmarked] == cut[label][0], label
    assert table.loc["Overloaded resource-periods", marked] == "0"
    captions = " ".join(c.value for c in at.caption)
    assert f"#{balanced_id} Soft, balanced (rebalanced): overtime on the lines" in captions
    assert f"#{plain} Soft, cut: no note" in captions and "Baseline: the plan as it stands, balanced." in captions
    assert any(o.endswith(" · rebalanced") for o in at.multiselect(key="sc_compare").options)
