"""The demo company scaled up: any number of SKUs and weeks, from demo.py's own generators.

demo.build_demo_data fixes the catalogue at 128 SKUs and the history at 156 weeks; the stages
after the catalogue (weekly orders with trend, season, promotions, noise and lumpy SKUs;
resources and routings sized to the volume; inventory; open supply) take any catalogue, so
this module only builds a larger one (the same 12 families, more variants per family) and
runs those stages over `weeks` weeks. About 10 % of the SKUs are intermittent and 8 % new,
as in the demo (whose fixed counts of 13 and 10 would be a rounding error at 5,000 SKUs).
The demo's private stage functions are reused on purpose: one generator, not two.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from genxsop_core.demo import company as demo
from genxsop_core.domain.periods import last_completed_bucket
from genxsop_core.io.formats import FORMATS

SEED = 5000
INTERMITTENT_SHARE, NEW_SHARE = 0.10, 0.08


def _catalogue(skus: int, rng: np.random.Generator) -> pd.DataFrame:
    """`skus` products spread evenly over the demo families, variant x size cycled, numbered."""
    rows = []
    for i in range(skus):
        family = demo._FAMILIES[i % len(demo._FAMILIES)]
        j = i // len(demo._FAMILIES)
        size = j % len(family.sizes)
        variant = family.variants[(j // len(family.sizes)) % len(family.variants)]
        line = j // (len(family.sizes) * len(family.variants))
        name = f"{variant} {family.sizes[size]}" + (f" line {line + 1}" if line else "")
        rows.append({"sku": f"{family.code}-{j + 1:04d}", "name": name, "category": family.category,
                     "family": family.name, "uom": "EA", "size": size, "fam": family})
    cat = demo._with_demand_traits(pd.DataFrame(rows), rng)
    _more_lumpy_and_new(cat, rng)
    return demo._with_economics(cat, rng)


def _more_lumpy_and_new(cat: pd.DataFrame, rng: np.random.Generator) -> None:
    """Give intermittent and new SKUs their demo share of a large catalogue (in place)."""
    n = len(cat)
    order = rng.permutation(n)
    lumpy_end, new_end = int(n * INTERMITTENT_SHARE), int(n * (INTERMITTENT_SHARE + NEW_SHARE))
    lumpy, new = order[:lumpy_end], order[lumpy_end:new_end]
    pattern, level, launch, status = (cat[c].to_numpy(copy=True) for c in ("pattern", "level", "launch_ago", "status"))
    pattern[lumpy] = "intermittent"
    level[lumpy] = (cat["occurrence"] * cat["lump"]).to_numpy()[lumpy]
    pattern[new], launch[new], status[new] = "new", rng.integers(10, 41, len(new)), "new"
    status[lumpy] = np.where(status[lumpy] == "new", "active", status[lumpy])
    launch[lumpy] = 0
    cat["pattern"], cat["level"], cat["launch_ago"], cat["status"] = pattern, level, launch, status


def build_scaled_data(skus: int, weeks: int, end: date | None = None, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every kind of input file, weekly buckets, history of `weeks` weeks up to `end`."""
    end = end or last_completed_bucket(date.today(), "week")
    catalogue = _catalogue(skus, np.random.default_rng([seed, 0]))
    periods = demo._bucket_starts(end, weeks, "week")
    ordered, promo, active = demo._weekly_orders(catalogue, periods, np.random.default_rng([seed, 1]))
    resources, routings = demo._resources_and_routings(catalogue, ordered, "week", np.random.default_rng([seed, 2]))
    demand = demo._demand_frame(catalogue, periods, ordered, promo, active, np.random.default_rng([seed, 4]))
    recent = demo._recent_average(ordered, active, "week")
    inventory, on_hand = demo._inventory(catalogue, periods, recent, active, "week", np.random.default_rng([seed, 5]))
    supply = demo._supply(catalogue, periods, recent, on_hand, "week")
    frames = {"products": catalogue, "resources": resources, "routings": routings,
              "demand": demand, "inventory": inventory, "supply": supply}
    return {kind: frame[FORMATS[kind].column_names].reset_index(drop=True) for kind, frame in frames.items()}


def describe(frames: dict[str, pd.DataFrame]) -> str:
    demand = frames["demand"]
    zero_share = (demand.ordered_qty == 0).mean()
    return (f"{len(frames['products']):,} SKUs, {demand.period.nunique()} weeks, {len(demand):,} demand rows "
            f"({zero_share:.0%} zero), {len(frames['routings']):,} routings, {len(frames['inventory']):,} stock "
            f"counts, {len(frames['supply']):,} supply rows")
