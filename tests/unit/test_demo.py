"""The demo data set: valid per the file formats, deterministic, and shaped like real S&OP data."""
from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from genxsop_core.demo.company import (
    DEMO_SEED,
    HISTORY,
    HORIZON,
    bucket_start,
    build_demo_data,
    last_completed_bucket,
)
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.io.formats import FORMATS

END = {"week": date(2026, 11, 9), "month": date(2026, 10, 1)}
KINDS = ("products", "resources", "routings", "demand", "inventory", "supply")


@pytest.fixture(scope="module", params=["week", "month"])
def demo(request) -> tuple[str, dict[str, pd.DataFrame]]:
    return request.param, build_demo_data(request.param, end=END[request.param])


@pytest.fixture(scope="module")
def weekly() -> dict[str, pd.DataFrame]:
    return build_demo_data("week", end=END["week"])


@pytest.fixture(scope="module")
def monthly() -> dict[str, pd.DataFrame]:
    return build_demo_data("month", end=END["month"])


def _weekly_utilisation(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Hours needed / hours available per resource (columns) and week (rows)."""
    steps = data["routings"].merge(data["demand"], on="sku")
    steps["hours"] = steps["hours_per_unit"] * steps["ordered_qty"]
    load = steps.pivot_table(index="period", columns="resource", values="hours", aggfunc="sum").sort_index()
    return load / data["resources"].set_index("resource")["capacity_hours"]


# --- bucket helpers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "bucket", "expected"), [
    (date(2026, 11, 22), "week", date(2026, 11, 9)),  # Sunday: this week began Mon 16th
    (date(2026, 11, 16), "week", date(2026, 11, 9)),  # Monday: last week is complete
    (date(2026, 11, 15), "week", date(2026, 11, 2)),  # Sunday before: that week is still open
    (date(2027, 1, 3), "week", date(2026, 12, 21)),  # across the year end
    (date(2026, 11, 22), "month", date(2026, 10, 1)),
    (date(2026, 11, 1), "month", date(2026, 10, 1)),
    (date(2027, 1, 15), "month", date(2026, 12, 1)),  # across the year end
])
def test_last_completed_bucket(today, bucket, expected):
    assert last_completed_bucket(today, bucket) == expected


@pytest.mark.parametrize(("day", "bucket", "expected"), [
    (date(2026, 11, 22), "week", date(2026, 11, 16)),
    (date(2026, 11, 16), "week", date(2026, 11, 16)),
    (date(2027, 1, 1), "week", date(2026, 12, 28)),
    (date(2024, 2, 29), "month", date(2024, 2, 1)),
    (date(2024, 3, 1), "month", date(2024, 3, 1)),
])
def test_bucket_start(day, bucket, expected):
    assert bucket_start(day, bucket) == expected


def test_unknown_bucket_is_refused():
    with pytest.raises(InvalidInput):
        bucket_start(date(2026, 1, 1), "quarter")
    with pytest.raises(InvalidInput):
        build_demo_data("day", end=date(2026, 1, 5))


# --- determinism ------------------------------------------------------------------------------

@pytest.mark.parametrize("bucket", ["week", "month"])
def test_same_seed_and_end_give_identical_frames(bucket):
    first, second = build_demo_data(bucket, end=END[bucket]), build_demo_data(bucket, end=END[bucket])
    for kind in KINDS:
        pd.testing.assert_frame_equal(first[kind], second[kind])


def test_another_seed_gives_other_demand(weekly):
    other = build_demo_data("week", end=END["week"], seed=DEMO_SEED + 1)
    assert not weekly["demand"]["ordered_qty"].equals(other["demand"]["ordered_qty"])


def test_end_inside_a_bucket_is_moved_to_its_start(weekly):
    midweek = build_demo_data("week", end=END["week"] + timedelta(days=3))
    pd.testing.assert_frame_equal(midweek["demand"], weekly["demand"])


def test_default_end_is_the_last_completed_bucket():
    before = last_completed_bucket(date.today(), "week")
    data = build_demo_data("week")
    if last_completed_bucket(date.today(), "week") != before:
        pytest.skip("the week turned over during the test")
    assert data["demand"]["period"].max() == before


def test_build_is_fast():
    started = time.perf_counter()
    build_demo_data("week", end=END["week"])
    build_demo_data("month", end=END["month"])
    assert time.perf_counter() - started < 2.0


# --- validity per the file formats ------------------------------------------------------------

def test_every_frame_has_exactly_the_format_columns(demo):
    _, data = demo
    assert set(data) == set(KINDS)
    for kind, frame in data.items():
        assert list(frame.columns) == FORMATS[kind].column_names, kind


def test_natural_keys_are_unique(demo):
    _, data = demo
    for kind, frame in data.items():
        assert not frame.duplicated(list(FORMATS[kind].key)).any(), kind


def test_values_respect_types_bounds_and_choices(demo):
    _, data = demo
    for kind, frame in data.items():
        for column in FORMATS[kind].columns:
            values = frame[column.name]
            assert values.notna().all(), f"{kind}.{column.name} has blanks"
            if column.type == "number":
                assert pd.api.types.is_numeric_dtype(values), f"{kind}.{column.name}"
                assert column.minimum is None or (values >= column.minimum).all(), f"{kind}.{column.name}"
                assert column.maximum is None or (values <= column.maximum).all(), f"{kind}.{column.name}"
            elif column.type == "date":
                assert all(type(v) is date for v in values), f"{kind}.{column.name}"
            elif column.type == "bool":
                assert values.dtype == bool and all(type(v) is bool for v in values.tolist())
            if column.choices:
                assert set(values) <= set(column.choices), f"{kind}.{column.name}"


def test_shipments_never_exceed_orders(demo):
    _, data = demo
    demand = data["demand"]
    assert (demand["ordered_qty"] == demand["ordered_qty"].round()).all()
    assert (demand["shipped_qty"] <= demand["ordered_qty"]).all()
    assert (demand["shipped_on_time_in_full_qty"] <= demand["shipped_qty"]).all()
    fill = demand["shipped_qty"].sum() / demand["ordered_qty"].sum()
    assert 0.92 <= fill < 1.0


def test_references_resolve(demo):
    _, data = demo
    skus = set(data["products"]["sku"])
    assert set(data["routings"]["sku"]) <= skus
    assert set(data["routings"]["resource"]) <= set(data["resources"]["resource"])
    for kind in ("demand", "inventory", "supply"):
        assert set(data[kind]["sku"]) <= skus, kind


# --- the company ------------------------------------------------------------------------------

def test_catalogue_size_and_hierarchy(weekly):
    products = weekly["products"]
    assert products["category"].nunique() >= 3
    assert products["family"].nunique() >= 8
    assert len(products) >= 120
    assert products.groupby("category")["family"].nunique().between(2, 3).all()
    assert products["sku"].str.fullmatch(r"[A-Z]{3}-[A-Z]{3}-\d{3}").all()
    assert 4 <= len(weekly["resources"]) <= 6


def test_economics_are_believable(weekly):
    products = weekly["products"]
    margin = products["unit_price"] / products["unit_cost"]
    assert margin.between(1.25, 2.55).all()
    assert products["holding_cost_rate"].between(0.15, 0.30).all()
    assert set(products["service_level_target"]) == {0.90, 0.95, 0.98}
    assert (products["status"] == "active").mean() > 0.8
    assert {"new", "phase_out"} <= set(products["status"])
    bought = ~products["sku"].isin(weekly["routings"]["sku"])
    assert 0.2 <= bought.mean() <= 0.4
    assert products.loc[bought, "lead_time_days"].mean() > products.loc[~bought, "lead_time_days"].mean()


def test_make_skus_route_through_one_or_two_resources(weekly):
    steps = weekly["routings"].groupby("sku").size()
    assert steps.between(1, 2).all()
    assert (weekly["routings"]["hours_per_unit"] > 0).all()


def test_history_covers_three_years_of_buckets(demo):
    bucket, data = demo
    periods = sorted(set(data["demand"]["period"]))
    assert len(periods) == HISTORY[bucket]
    assert periods[-1] == END[bucket]
    assert all(bucket_start(p, bucket) == p for p in periods)
    if bucket == "week":
        assert all(p.weekday() == 0 for p in periods)
    else:
        assert all(p.day == 1 for p in periods)


def test_mature_skus_have_full_history_and_new_skus_start_late(demo):
    bucket, data = demo
    rows = data["demand"].groupby("sku")["period"].agg(["count", "min"])
    status = data["products"].set_index("sku")["status"]
    mature = rows[status.reindex(rows.index) != "new"]
    assert (mature["count"] == HISTORY[bucket]).all()
    assert len(mature) >= 100
    new = rows[status.reindex(rows.index) == "new"]
    first_bucket = min(data["demand"]["period"])
    assert len(new) >= 5
    assert (new["min"] > first_bucket).all()
    if bucket == "week":
        assert new["min"].between(END["week"] - timedelta(weeks=40), END["week"] - timedelta(weeks=10)).all()


def test_some_skus_are_intermittent(weekly):
    zero_share = (weekly["demand"]["ordered_qty"] == 0).groupby(weekly["demand"]["sku"]).mean()
    lumpy = zero_share >= 0.4
    assert 6 <= lumpy.sum() <= 0.2 * len(zero_share)


def test_volumes_spread_enough_for_abc(weekly):
    volume = weekly["demand"].groupby("sku")["ordered_qty"].sum().sort_values(ascending=False)
    top_fifth = volume.iloc[: len(volume) // 5].sum() / volume.sum()
    assert top_fifth >= 0.5
    weekly_mean = volume / weekly["demand"].groupby("sku").size()
    assert weekly_mean.max() > 1000 and weekly_mean.median() < 400


def test_seasonality_differs_by_category(weekly):
    demand = weekly["demand"].merge(weekly["products"][["sku", "category"]], on="sku")
    month = pd.to_datetime(demand["period"]).dt.month
    summer = demand[month.isin([6, 7, 8])].groupby("category")["ordered_qty"].sum()
    winter = demand[month.isin([12, 1, 2])].groupby("category")["ordered_qty"].sum()
    ratio = summer / winter
    assert ratio["Beverages"] > 1.2
    assert ratio["Snacks"] < 0.9
    assert 0.85 < ratio["Household"] < 1.15


def test_promotions_lift_demand(weekly):
    demand = weekly["demand"]
    assert 0.03 <= demand["promo"].mean() <= 0.15
    promoted = demand[demand["sku"].isin(demand.loc[demand["promo"], "sku"])]
    level = promoted.groupby("sku")["ordered_qty"].transform("median")
    lift = (promoted["ordered_qty"] / level.clip(lower=1))[promoted["promo"]].median()
    assert lift > 1.25


def test_capacity_load_is_high_with_one_bottleneck(weekly):
    utilisation = _weekly_utilisation(weekly).iloc[-52:]
    assert utilisation.mean().between(0.70, 0.95).all(), utilisation.mean()
    peak = utilisation.rolling(4).mean().max()
    assert 0.95 <= peak.max() <= 1.05, peak
    assert (peak.drop(peak.idxmax()) < peak.max()).all()


def test_monthly_history_aggregates_weekly_character(weekly, monthly):
    per_week = weekly["demand"]["ordered_qty"].sum() / HISTORY["week"]
    per_month = monthly["demand"]["ordered_qty"].sum() / HISTORY["month"]
    assert per_month / per_week == pytest.approx(52 / 12, rel=0.1)
    assert monthly["products"].equals(weekly["products"])
    weekly_hours = weekly["resources"].set_index("resource")["capacity_hours"]
    monthly_hours = monthly["resources"].set_index("resource")["capacity_hours"]
    assert (monthly_hours / weekly_hours).round(2).eq(4.33).all()


def test_inventory_has_risk_and_excess(demo):
    bucket, data = demo
    inventory, demand = data["inventory"], data["demand"]
    assert inventory["snapshot_date"].max() == END[bucket]
    assert inventory["snapshot_date"].nunique() == 12
    latest = inventory[inventory["snapshot_date"] == END[bucket]].set_index("sku")["on_hand"]
    assert set(latest.index) == set(data["products"]["sku"])
    recent = demand[demand["period"] > END[bucket] - timedelta(weeks=13)].groupby("sku")["ordered_qty"].mean()
    weeks_of_cover = latest / (recent / (1 if bucket == "week" else 52 / 12)).clip(lower=0.1)
    assert (weeks_of_cover < 0.5).sum() >= 5
    assert (weeks_of_cover > 10).sum() >= 5
    assert weeks_of_cover.between(1, 8).mean() > 0.5


def test_supply_is_future_receipts_in_moq_lots(demo):
    bucket, data = demo
    supply = data["supply"]
    future = pd.Series(sorted(set(supply["period"])))
    assert (future > END[bucket]).all()
    assert all(bucket_start(p, bucket) == p for p in future)
    last = bucket_start(END[bucket] + timedelta(days=(7 if bucket == "week" else 31) * HORIZON[bucket]), bucket)
    assert future.max() <= last
    moq = supply["sku"].map(data["products"].set_index("sku")["moq"])
    assert (supply["planned_receipts"] > 0).all()
    assert (supply["planned_receipts"] % moq == 0).all()
    made = supply["sku"].isin(data["routings"]["sku"])
    assert (supply["kind"] == np.where(made, "make", "buy")).all()
    assert supply["firm"].any() and (~supply["firm"]).any()
    first_firm = supply.groupby("firm")["period"].min()
    assert first_firm[True] <= first_firm[False]
    phase_out = data["products"].loc[data["products"]["status"] == "phase_out", "sku"]
    assert supply.loc[supply["sku"].isin(phase_out), "firm"].all()
