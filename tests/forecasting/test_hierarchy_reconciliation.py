"""Coherent hierarchy forecasts: children add up, every node is there, bands cover the known truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core import forecasting
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting import hierarchy

MONTHS, HORIZON = 48, 6
CATEGORIES = {"Drinks": ("Juice", "Water"), "Food": ("Bread", "Snacks")}
COMMON_SD, FAMILY_SD, SKU_SD, LEVEL = 8.0, 6.0, 6.0, 60.0


def tree() -> pd.DataFrame:
    rows = [(c, f, f"{f}-{i}") for c, families in CATEGORIES.items() for f in families for i in range(3)]
    return pd.DataFrame(rows, columns=["category", "family", "unique_id"])


def simulate(rng: np.random.Generator, months: int, start: str = "2021-01-01") -> pd.DataFrame:
    """Known truth: each SKU = LEVEL + a shock shared by all + one shared by its family + its own noise,
    independent month to month, so the future's distribution is known exactly."""
    shape = tree()
    common = rng.normal(0, COMMON_SD, months)
    family = {f: rng.normal(0, FAMILY_SD, months) for f in shape.family.unique()}
    ds = pd.date_range(start, periods=months, freq="MS")
    return pd.concat([pd.DataFrame({"unique_id": u, "ds": ds,
                                    "y": LEVEL + common + family[f] + rng.normal(0, SKU_SD, months)})
                      for f, u in zip(shape.family, shape.unique_id)], ignore_index=True)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return simulate(np.random.default_rng(11), MONTHS)


@pytest.fixture(scope="module")
def reconciled(history) -> pd.DataFrame:
    return forecasting.forecast_hierarchy(history, tree(), HORIZON, model="moving_average")


def test_every_node_with_the_documented_columns(reconciled):
    assert list(reconciled.columns) == ["level", "node", "ds", "model", "mean", "p10", "p50", "p90"]
    nodes = reconciled.groupby("level").node.unique().map(set).to_dict()
    assert nodes == {"total": {"total"}, "category": set(CATEGORIES),
                     "family": {f for fs in CATEGORIES.values() for f in fs}, "unique_id": set(tree().unique_id)}
    assert (reconciled.groupby(["level", "node"]).size() == HORIZON).all()
    assert reconciled.model.str.contains("reconciled").all()


def test_children_add_up_to_their_parent_at_every_level(reconciled):
    shape = tree().assign(total="total")
    means = reconciled.set_index(["level", "node", "ds"])["mean"]
    for parent, child in [("total", "category"), ("category", "family"), ("family", "unique_id")]:
        links = shape[[parent, child]].drop_duplicates()
        children = (means.loc[child].rename_axis(["node", "ds"]).reset_index()
                    .merge(links, left_on="node", right_on=child).groupby([parent, "ds"])["mean"].sum())
        parents = means.loc[parent]
        assert np.abs(parents.sort_index().to_numpy() - children.sort_index().to_numpy()).max() < 1e-6


def test_bands_ordered_and_non_negative_even_near_zero():
    rng = np.random.default_rng(3)
    sparse = simulate(rng, 36).assign(y=lambda f: np.where(rng.random(len(f)) < 0.6, 0.0, (f.y - 55).clip(0)))
    out = forecasting.forecast_hierarchy(sparse, tree(), 4, model="naive")
    values = out[["p10", "p50", "p90"]].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all() and (out["mean"] >= 0).all()
    assert (np.diff(values, axis=1) >= -1e-9).all()


def test_aggregate_bands_cover_the_known_truth_and_are_narrower_than_summed_skus(history):
    """On many futures drawn from the true process, the total's, categories' and families' P10-P90 bands
    hold about 80% of them (the engine's bands come from a few backtest windows: a generous 65-95%), and
    they are narrower than the SKUs' P10s and P90s added up (the total and the two categories keep at least
    their own forecast's band, hierarchy.FLOOR: a moving average's here, so only narrower)."""
    sku_output = forecasting.run(history, HORIZON, "moving_average")
    out = forecasting.reconcile_run(history, tree(), sku_output, HORIZON, model="moving_average")
    futures = [simulate(np.random.default_rng(100 + k), HORIZON, start="2025-01-01") for k in range(200)]
    shape = tree()
    # truth on this simulation: a family's band is 0.91 of its SKUs' summed, a category's 0.80, the total's 0.75
    for level, narrower in (("total", 1.0), ("category", 1.0), ("family", 0.95)):
        bands = out[out.level == level]
        inside = []
        for future in futures:
            joined = future.merge(shape, on="unique_id").assign(total="total")
            actual = joined.groupby([level, "ds"]).y.sum().rename("actual").reset_index()
            merged = bands.merge(actual, left_on=["node", "ds"], right_on=[level, "ds"])
            inside.append(((merged.actual >= merged.p10) & (merged.actual <= merged.p90)).mean())
        assert 0.65 <= np.mean(inside) <= 0.95, (level, np.mean(inside))
        summed = (sku_output.forecasts.merge(shape, on="unique_id").assign(total="total")
                  .groupby([level, "ds"])[["p10", "p90"]].sum())
        assert (bands.p90 - bands.p10).mean() < narrower * (summed.p90 - summed.p10).mean(), level


def test_reconcile_run_reconciles_the_skus_forecasts_it_is_given(history):
    """The SKUs are not forecast again: scaling the given SKU forecasts moves the reconciled SKU means."""
    sku_output = forecasting.run(history, HORIZON, "moving_average")
    plain = forecasting.reconcile_run(history, tree(), sku_output, HORIZON, model="moving_average")
    sku_output.forecasts[["mean", "p10", "p50", "p90"]] *= 3
    tripled = forecasting.reconcile_run(history, tree(), sku_output, HORIZON, model="moving_average")
    skus = lambda f: f[f.level == "unique_id"]["mean"].sum()  # noqa: E731
    assert skus(tripled) > 1.5 * skus(plain)


@pytest.mark.parametrize("change, message", [
    (lambda t: t[t.unique_id != "Juice-0"], "misses 1 unique_id"),
    (lambda t: t[["unique_id", "category", "family"]], "end with unique_id"),
    (lambda t: t[["unique_id"]], "at least one level column"),
    (lambda t: t.assign(family=t.family.where(t.unique_id != "Bread-0", "Juice")), "family names must be unique"),
    (lambda t: t.assign(family=t.family.where(t.unique_id != "Bread-0", None)), "empty cells"),
    (lambda t: pd.concat([t, t.head(1).assign(family="Water")]), "under two parents"),
    (lambda t: t.drop(columns="unique_id"), "needs a unique_id column"),
])
def test_a_bad_hierarchy_is_refused_with_a_clear_message(history, change, message):
    with pytest.raises(InvalidInput, match=message):
        forecasting.forecast_hierarchy(history, change(tree()), HORIZON, model="naive")


def test_reconcile_refuses_a_missing_base_forecast(history):
    shape = hierarchy.structure(history, tree())
    base = pd.DataFrame({"unique_id": ["total=total"], "ds": [pd.Timestamp("2025-01-01")], "model": ["naive"],
                         "mean": [1.0], "p10": [0.0], "p50": [1.0], "p90": [2.0]})
    with pytest.raises(InvalidInput, match="no base forecast"):
        hierarchy.reconcile(base, pd.DataFrame(columns=["unique_id", "ds", "window", "mean", "actual"]), shape,
                            (0.1, 0.5, 0.9))


def test_a_sku_too_new_to_backtest_still_gets_a_reconciled_band(history):
    """A SKU launched 4 months ago has no backtest: it borrows its family's errors, and every node
    still gets a coherent, finite band (other quantile levels than the default too)."""
    late = history[(history.unique_id != "Water-2") | (history.ds >= history.ds.max() - pd.DateOffset(months=3))]
    out = forecasting.forecast_hierarchy(late, tree(), HORIZON, model="naive", quantiles=(0.05, 0.5, 0.95))
    assert list(out.columns[-3:]) == ["p05", "p50", "p95"]
    assert np.isfinite(out[["mean", "p05", "p95"]].to_numpy()).all()
    water = out[(out.level == "family") & (out.node == "Water")].set_index("ds")["mean"]
    skus = out[out.node.str.startswith("Water-")].groupby("ds")["mean"].sum()
    assert np.allclose(water.sort_index(), skus.sort_index(), atol=1e-6)
    new = out[out.node == "Water-2"]
    assert ((new.p95 - new.p05) > 0).all()
    assert out.model.str.endswith("(mint_shrink)").all()  # not thrown back to bottom-up for want of errors


def test_levels_of_one_or_two_nodes_keep_at_least_their_own_band(history):
    """The default floor: the total and the two categories never get a band narrower than their own base
    forecast's; families and SKUs keep the reconciled band untouched."""
    shape = hierarchy.structure(history, tree())
    sku_output = forecasting.run(history, HORIZON, "moving_average")
    base, backtests = hierarchy.base_forecasts(history, shape, sku_output, HORIZON, (0.1, 0.5, 0.9), 12,
                                               model="moving_average", workers=1)
    assert hierarchy.floored_levels(shape, None) == {"total", "category"}
    plain, floored = (hierarchy.reconcile(base, backtests, shape, (0.1, 0.5, 0.9), floor=f)
                      .set_index(["level", "node", "ds"]) for f in (False, None))
    own = base.assign(ds=pd.to_datetime(base.ds)).set_index(["unique_id", "ds"])
    for level in ("total", "category"):
        top = floored.loc[level].reset_index()
        reach = own.loc[[(f"{level}={n}", d) for n, d in zip(top.node, top.ds)]]
        own_reach = reach.p90.to_numpy() - reach["mean"].to_numpy()
        assert (top.p90.to_numpy() - top["mean"].to_numpy() >= own_reach - 1e-9).all()
        assert (floored.loc[level].p90 >= plain.loc[level].p90 - 1e-9).all()
    for level in ("family", "unique_id"):
        pd.testing.assert_frame_equal(floored.loc[level], plain.loc[level])
    pd.testing.assert_series_equal(floored["mean"], plain["mean"])  # the means stay coherent


def _widened_aggregates(history, factor: float):
    """Base forecasts whose aggregate nodes' bands are `factor` times as wide as the engine made them
    (around the same mean), with the backtests untouched: bands wide against their backtest errors."""
    shape = hierarchy.structure(history, tree())
    sku_output = forecasting.run(history, HORIZON, "moving_average")
    base, backtests = hierarchy.base_forecasts(history, shape, sku_output, HORIZON, (0.1, 0.5, 0.9), 12,
                                               model="moving_average", workers=1)
    upper = ~base.unique_id.str.startswith(f"{hierarchy.BOTTOM}=")
    for column in ("p10", "p90"):
        base.loc[upper, column] = base["mean"] + factor * (base[column] - base["mean"])
    return shape, sku_output, base, backtests


def _widths(out: pd.DataFrame) -> pd.Series:
    return (out.p90 - out.p10).groupby([out.level, out.node]).mean()


@pytest.mark.parametrize("factor", [1.0, 3.0])
def test_weighed_by_the_bands_no_band_is_wider_than_its_own_or_its_skus_summed(history, factor):
    """With spread "bands" MinTrace weighs the nodes by the covariance Normality spreads: every node's reconciled
    band is then at most its own base band and at most its SKUs' bands added up, even where the aggregates'
    bands are three times what their backtest errors say."""
    shape, sku_output, base, backtests = _widened_aggregates(history, factor)
    out = hierarchy.reconcile(base, backtests, shape, (0.1, 0.5, 0.9), floor=False, spread="bands")
    keys = dict(zip(zip(shape.nodes.level, shape.nodes.node), shape.nodes.key))
    own = (base.p90 - base.p10).groupby(base.unique_id).mean()
    for (level, node), width in _widths(out).items():
        assert width <= own[keys[level, node]] * (1 + 1e-6), (level, node, width, own[keys[level, node]])
    summed = (sku_output.forecasts.merge(tree(), on="unique_id").assign(total="total"))
    for level in ("total", "category", "family"):
        sums = summed.groupby(level)[["p10", "p90"]].sum()
        widths = _widths(out).loc[level] * HORIZON
        assert (widths <= (sums.p90 - sums.p10).reindex(widths.index) * (1 + 1e-6)).all(), level


def test_weights_from_the_backtests_alone_pass_wide_aggregate_bands_down_to_the_skus(history):
    """What spread "bands" mends: with the library's own weights (the backtest errors' covariance, the default)
    and aggregates whose bands are three times their backtest errors' spread, the SKUs' reconciled bands come
    out wider than their own base bands (the aggregates' band variance flows down); weighed by the bands not."""
    shape, _, base, backtests = _widened_aggregates(history, 3.0)
    own = (base.p90 - base.p10).groupby(base.unique_id).mean()
    for spread, wider in (("backtests", True), ("bands", False)):
        out = hierarchy.reconcile(base, backtests, shape, (0.1, 0.5, 0.9), floor=False, spread=spread)
        skus = _widths(out).loc["unique_id"]
        ratio = skus.to_numpy() / own[[f"{hierarchy.BOTTOM}={n}" for n in skus.index]].to_numpy()
        assert bool(ratio.mean() > 1.05) is wider, (spread, ratio.mean())
