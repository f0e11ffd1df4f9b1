"""A deterministic demo data set: a mid-size consumer goods company with three years of history.

Planners open the workbench on this data before loading their own, so it has what real data
has: trends, category seasonality, promotions with a post-promo dip, lumpy SKUs, new launches,
a long tail for ABC, and one filling line that runs out of capacity in summer. Every frame has
the columns of its kind in `genxsop_core.io.formats`, so the demo loads through the same import.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from genxsop_core.domain.periods import bucket_start, last_completed_bucket
from genxsop_core.domain.states import SupplyKind
from genxsop_core.io.formats import FORMATS
from genxsop_core.supply.balance import OVERTIME_COST_FACTOR

DEMO_SEED = 20240601
HISTORY = {"week": 156, "month": 36}  # three years of buckets
HORIZON = {"week": 13, "month": 3}  # a quarter of open and planned receipts
RECENT = {"week": 13, "month": 3}  # the quarter "recent demand" averages over
WEEKS_PER_BUCKET = {"week": 1.0, "month": 52 / 12}
_MID_BUCKET_DAYS = {"week": 3, "month": 14}


class _Family(NamedTuple):
    category: str
    code: str  # SKU prefix, e.g. "BEV-COF"
    name: str
    variants: tuple[str, ...]
    sizes: tuple[str, ...]
    cost: float  # standard cost of the smallest pack
    volume: float  # weekly units of a typical SKU in the smallest pack
    season: float  # amplitude of the yearly cycle
    peak_day: int  # day of the year the cycle peaks
    route: tuple[str, ...]  # resources a unit passes through; empty = bought in


_FAMILIES = (
    _Family("Beverages", "BEV-COF", "Coffee", ("Espresso beans", "Filter ground", "Instant", "Decaf ground",
            "Cold brew", "Dark roast beans"), ("250g", "500g", "1kg"), 2.4, 120, 0.10, 15, ("OVEN-1", "PACK-1")),
    _Family("Beverages", "BEV-JUI", "Juice", ("Orange", "Apple", "Multivitamin", "Mango", "Cranberry",
            "Pineapple"), ("330ml", "1L", "1.5L"), 0.45, 400, 0.22, 190, ("MIX-1", "FILL-1")),
    _Family("Beverages", "BEV-WAT", "Water", ("Still", "Sparkling", "Lemon sparkling", "Lime sparkling",
            "Mineral", "Kids still"), ("500ml", "1.5L", "6x1.5L"), 0.12, 900, 0.25, 200, ("FILL-1",)),
    _Family("Snacks", "SNK-CRI", "Crisps", ("Sea salt", "Salt & vinegar", "Cheese & onion", "Paprika",
            "Sour cream", "Sweet chili"), ("40g", "150g", "6x25g"), 0.25, 500, 0.12, 355, ("PACK-1",)),
    _Family("Snacks", "SNK-BIS", "Biscuits", ("Butter", "Chocolate chip", "Oat", "Digestive", "Ginger",
            "Shortbread"), ("150g", "300g"), 0.60, 350, 0.20, 350, ("OVEN-1", "PACK-1")),
    _Family("Snacks", "SNK-NUT", "Nuts", ("Salted peanuts", "Cashews", "Almonds", "Mixed nuts", "Pistachios",
            "Honey peanuts"), ("100g", "200g", "500g"), 1.10, 150, 0.35, 355, ()),
    _Family("Household", "HOU-DET", "Laundry", ("Liquid detergent", "Powder detergent", "Color wash",
            "Sensitive wash", "Fresh scent", "Wool wash"), ("1L", "2.5L"), 2.10, 200, 0.05, 90, ("MIX-1", "PACK-2")),
    _Family("Household", "HOU-CLN", "Cleaners", ("All-purpose spray", "Kitchen spray", "Bathroom spray",
            "Glass cleaner", "Floor cleaner", "Descaler"), ("500ml", "1L"), 0.90, 160, 0.12, 100, ("MIX-1", "PACK-2")),
    _Family("Household", "HOU-PAP", "Paper", ("Kitchen towel", "Toilet tissue", "Facial tissue", "Eco towel",
            "Soft tissue", "Towel XL"), ("2 rolls", "4 rolls", "9 rolls"), 0.80, 300, 0.05, 20, ()),
    _Family("Personal Care", "PER-HAI", "Hair care", ("Shampoo", "Anti-dandruff shampoo", "Conditioner",
            "Kids shampoo", "Volume shampoo", "2-in-1"), ("250ml", "400ml"), 1.30, 180, 0.08, 180, ("MIX-1", "PACK-2")),
    _Family("Personal Care", "PER-SOA", "Soap", ("Bar soap", "Hand wash", "Shower gel", "Hand wash refill",
            "Men's shower gel", "Antibacterial hand wash"), ("250ml", "500ml"), 0.70, 250, 0.10, 30, ("PACK-2",)),
    _Family("Personal Care", "PER-ORA", "Oral care", ("Whitening toothpaste", "Sensitive toothpaste",
            "Toothbrush medium", "Toothbrush soft", "Mouthwash", "Dental floss"), ("single", "twin pack"),
            1.00, 200, 0.03, 60, ()),
)
_SKUS_PER_FAMILY = (11,) * 8 + (10,) * 4  # 128 SKUs
_SIZE_COST = np.array([1.0, 2.2, 4.5])
_SIZE_VOLUME = np.array([1.0, 0.6, 0.35])  # bigger packs sell fewer units
_SIZE_HOURS = np.array([1.0, 1.8, 3.0])

# code, name, capacity hours per week, cost per hour, average load aimed for (None = the bottleneck)
_RESOURCES = (
    ("MIX-1", "Mixing and blending tanks", 120.0, 95.0, 0.80),
    ("FILL-1", "Bottle filling line", 120.0, 140.0, None),
    ("OVEN-1", "Roasting and baking oven", 144.0, 180.0, 0.78),
    ("PACK-1", "Flow-wrap packing line", 160.0, 110.0, 0.85),
    ("PACK-2", "Cartoning line", 80.0, 85.0, 0.74),
)
_OVERTIME_SHARE = 0.2  # a Saturday shift: overtime up to a fifth of the weekly hours, at time-and-a-half (written out)
_BOTTLENECK_PEAK = 1.02  # the bottleneck's busiest four weeks of the last year use all its hours
_MAX_PEAK = 0.95  # other resources keep some slack even at their peak
_MIN_LOAD = 0.72  # ... but none idles: every resource is busy at least this share on average
_LOT_SIZES = np.array([1, 6, 12, 24, 48, 100, 200, 250, 500, 1000, 2000, 5000])


def build_demo_data(bucket: str = "week", end: date | None = None,
                    seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """Every kind of input file for the demo company; history runs up to and including `end`.

    `end` is the start of the last completed bucket (default: the one before today's). Each stage
    draws from its own generator, so the catalogue is the same for weekly and monthly builds.
    """
    end = bucket_start(end, bucket) if end is not None else last_completed_bucket(date.today(), bucket)
    catalogue = _catalogue(np.random.default_rng([seed, 0]))
    periods = _bucket_starts(end, HISTORY[bucket], bucket)
    mondays = periods if bucket == "week" else _mondays_covering(periods)
    weekly, weekly_promo, weekly_active = _weekly_orders(catalogue, mondays, np.random.default_rng([seed, 1]))
    resources, routings = _resources_and_routings(catalogue, weekly, bucket, np.random.default_rng([seed, 2]))
    ordered, promo, active = weekly, weekly_promo, weekly_active
    if bucket == "month":
        ordered, promo, active = _to_months(weekly, weekly_promo, weekly_active, mondays, periods,
                                            np.random.default_rng([seed, 3]))
    demand = _demand_frame(catalogue, periods, ordered, promo, active, np.random.default_rng([seed, 4]))
    recent = _recent_average(ordered, active, bucket)
    inventory, on_hand = _inventory(catalogue, periods, recent, active, bucket, np.random.default_rng([seed, 5]))
    supply = _supply(catalogue, periods, recent, on_hand, bucket)
    frames = {"products": catalogue, "resources": resources, "routings": routings,
              "demand": demand, "inventory": inventory, "supply": supply}
    return {kind: frame[FORMATS[kind].column_names].reset_index(drop=True) for kind, frame in frames.items()}


def _bucket_starts(end: date, count: int, bucket: str, offset: int = 0) -> np.ndarray:
    """`count` consecutive bucket starts (datetime64[D]), the last one `offset` buckets after `end`."""
    steps = np.arange(offset - count + 1, offset + 1)
    if bucket == "week":
        return np.datetime64(end, "D") + 7 * steps
    return (np.datetime64(end, "M") + steps).astype("datetime64[D]")


def _mondays_covering(months: np.ndarray) -> np.ndarray:
    """The weeks that overlap the months, so monthly history is aggregated from weekly demand."""
    first = bucket_start(months[0].astype(date), "week")
    last_day = (months[-1].astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    return np.arange(np.datetime64(first, "D"), last_day + 1, 7)


def _catalogue(rng: np.random.Generator) -> pd.DataFrame:
    """The product master plus the hidden traits (level, trend, pattern) that drive demand."""
    rows = []
    for family, count in zip(_FAMILIES, _SKUS_PER_FAMILY):
        packs = [(f"{v} {s}", size) for size, s in enumerate(family.sizes) for v in family.variants][:count]
        rows += [{"sku": f"{family.code}-{j:03d}", "name": name, "category": family.category,
                  "family": family.name, "uom": "EA", "size": size, "fam": family}
                 for j, (name, size) in enumerate(packs, 1)]
    return _with_economics(_with_demand_traits(pd.DataFrame(rows), rng), rng)


def _with_demand_traits(cat: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """~10 % lumpy SKUs, ~8 % launched in the last 10-40 weeks, three being phased out; levels
    are lognormal so a few high runners carry most of the volume (ABC)."""
    n = len(cat)
    pattern = np.full(n, "regular", dtype=object)
    shuffled = rng.permutation(n)
    pattern[shuffled[:13]], pattern[shuffled[13:23]], phase_out = "intermittent", "new", shuffled[23:26]
    cat["pattern"], cat["launch_ago"] = pattern, np.where(pattern == "new", rng.integers(10, 41, n), 0)
    cat["occurrence"], cat["lump"] = rng.uniform(0.08, 0.35, n), rng.uniform(2, 25, n)
    growth = np.clip(rng.normal(0.03, 0.09, n), -0.2, 0.3)
    growth[phase_out] = -0.45
    cat["growth"], cat["noise"] = growth, rng.uniform(0.08, 0.25, n)
    spread = np.clip(rng.lognormal(0, 1.0, n), 0.02, 6.0)
    level = _family_trait(cat, "volume") * _SIZE_VOLUME[cat["size"]] * spread
    cat["level"] = np.where(pattern == "intermittent", cat["occurrence"] * cat["lump"], level)
    cat["season"] = _family_trait(cat, "season") * rng.uniform(0.85, 1.15, n)
    cat["peak_day"] = _family_trait(cat, "peak_day")
    cat["status"] = np.where(pattern == "new", "new", "active")
    cat.loc[phase_out, "status"] = "phase_out"
    return cat


def _with_economics(cat: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Costs, prices (margin x1.3-2.5), lead times (bought items longer), lots and targets."""
    n, buy = len(cat), _bought_in(cat, rng)
    cat["route"] = [() if bought else family.route for bought, family in zip(buy, cat["fam"])]
    cost = _family_trait(cat, "cost") * _SIZE_COST[cat["size"]] * rng.uniform(0.85, 1.15, n)
    cat["unit_cost"] = np.maximum(0.05, np.round(cost, 2))
    cat["unit_price"] = np.round(cat["unit_cost"] * rng.uniform(1.3, 2.5, n), 2)
    lead_time = np.where(buy, rng.choice([7, 14, 21, 28, 42, 56], n), rng.integers(3, 15, n))
    cat["lead_time_days"] = lead_time.astype(float)
    cat["lead_time_std_days"] = np.round(lead_time * rng.uniform(0.1, 0.3, n), 1)
    lot_index = np.searchsorted(_LOT_SIZES, cat["level"] * rng.uniform(0.5, 2.5, n), "right") - 1
    cat["moq"] = _LOT_SIZES[np.maximum(lot_index, 0)].astype(float)
    cat["order_cost"] = np.round(np.where(buy, rng.uniform(30, 150, n), rng.uniform(120, 450, n)), 0)
    cat["holding_cost_rate"] = np.round(rng.uniform(0.15, 0.30, n), 2)
    cat["service_level_target"] = _service_targets(cat["level"] * cat["unit_price"])
    return cat


def _family_trait(cat: pd.DataFrame, trait: str) -> np.ndarray:
    return np.array([getattr(family, trait) for family in cat["fam"]])


def _bought_in(cat: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Whole families come from co-packers, and a few single SKUs of made families too (~30 %)."""
    no_route = np.array([f.route == () for f in cat["fam"]])
    return no_route | (rng.random(len(cat)) < 0.08)


def _service_targets(weekly_revenue: pd.Series) -> np.ndarray:
    """A SKUs 98 %, B SKUs 95 %, C SKUs 90 %: the usual trade-off of stock against service."""
    share = weekly_revenue.rank(ascending=False, pct=True).to_numpy()
    return np.select([share <= 0.2, share <= 0.5], [0.98, 0.95], 0.90)


def _seasonality(cat: pd.DataFrame, days: np.ndarray) -> np.ndarray:
    """1 + A cos(2 pi (d - peak) / 365.25) per SKU (rows) and date (columns)."""
    day_of_year = (days - days.astype("datetime64[Y]")).astype(int)
    angle = 2 * np.pi * (day_of_year[None, :] - cat["peak_day"].to_numpy()[:, None]) / 365.25
    return 1 + cat["season"].to_numpy()[:, None] * np.cos(angle)


def _weekly_orders(cat: pd.DataFrame, mondays: np.ndarray, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units ordered, promo flags and launched flags per SKU (rows) and week (columns).

    Demand = level x trend x season x promo lift x noise, drawn as Poisson counts; lumpy SKUs
    order a geometric lot in a few weeks only; new SKUs ramp up from their launch week.
    """
    n, weeks = len(cat), len(mondays)
    years = (mondays - mondays[-1]).astype(int) / 365.25
    mean = cat["level"].to_numpy()[:, None] * (1 + cat["growth"].to_numpy()[:, None]) ** years[None, :]
    mean = mean * _seasonality(cat, mondays + 3)
    promo, lift = _promotions(cat, weeks, rng)
    since_launch = np.arange(weeks)[None, :] - (weeks - 1 - cat["launch_ago"].to_numpy())[:, None]
    launched = (since_launch >= 0) | (cat["pattern"] != "new").to_numpy()[:, None]
    ramp = np.where(cat["pattern"].to_numpy()[:, None] == "new", 1 - np.exp(-(since_launch + 1) / 4), 1.0)
    noise = rng.lognormal(0, cat["noise"].to_numpy()[:, None], (n, weeks))
    ordered = rng.poisson(np.clip(mean * lift * ramp * noise, 0, None))
    lumpy = (cat["pattern"] == "intermittent").to_numpy()
    hits = rng.random((n, weeks)) < cat["occurrence"].to_numpy()[:, None]
    lots = rng.geometric(1 / cat["lump"].to_numpy()[:, None], (n, weeks))
    ordered[lumpy] = np.where(hits, lots, 0)[lumpy]
    return np.where(launched, ordered, 0), promo & launched, launched


def _promotions(cat: pd.DataFrame, weeks: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """3-6 promo weeks a year (none for lumpy SKUs): 30-100 % uplift, then a 10-25 % dip while
    customers work through the stock they bought on promotion."""
    n = len(cat)
    rate = rng.uniform(3, 6, n) / 52 * (cat["pattern"] != "intermittent").to_numpy()
    promo = rng.random((n, weeks)) < rate[:, None]
    promo[:, 1:] &= ~promo[:, :-1]  # a promotion runs one week
    lift = np.where(promo, 1 + rng.uniform(0.3, 1.0, (n, weeks)), 1.0)
    after = np.zeros_like(promo)
    after[:, 1:] = promo[:, :-1] & ~promo[:, 1:]
    return promo, np.where(after, 1 - rng.uniform(0.10, 0.25, (n, weeks)), lift)


def _to_months(ordered: np.ndarray, promo: np.ndarray, active: np.ndarray, mondays: np.ndarray,
               months: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weekly orders summed into months; a week spanning two months is split by its days.

    A month is a promo month when a promo week's Thursday falls in it (the ISO week rule).
    """
    first_month = mondays.astype("datetime64[M]")
    days_in_first = np.minimum(7, ((first_month + 1).astype("datetime64[D]") - mondays).astype(int))
    in_first = rng.binomial(ordered, days_in_first / 7)

    def one_hot(days: np.ndarray) -> np.ndarray:  # week -> month, with a spare column either side
        index = (days.astype("datetime64[M]") - months[0].astype("datetime64[M]")).astype(int) + 1
        return np.eye(len(months) + 2, dtype=np.int64)[index]

    first, second, thursday = one_hot(mondays), one_hot(mondays + 6), one_hot(mondays + 3)
    monthly = in_first @ first + (ordered - in_first) @ second
    monthly_promo = (promo.astype(np.int64) @ thursday) > 0
    monthly_active = (active.astype(np.int64) @ (first | second)) > 0
    return monthly[:, 1:-1], monthly_promo[:, 1:-1], monthly_active[:, 1:-1]


def _demand_frame(cat: pd.DataFrame, periods: np.ndarray, ordered: np.ndarray, promo: np.ndarray,
                  active: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Long demand actuals: ~1 % of units short-shipped, ~2 % shipped late or incomplete."""
    short = np.floor(ordered * rng.uniform(0, 0.08, ordered.shape) * (rng.random(ordered.shape) < 0.25))
    shipped = ordered - short.astype(np.int64)
    late = np.floor(shipped * rng.uniform(0, 0.10, ordered.shape) * (rng.random(ordered.shape) < 0.20))
    on_time = shipped - late.astype(np.int64)
    sku, t = np.nonzero(active)
    return pd.DataFrame({"sku": cat["sku"].to_numpy()[sku], "period": periods.astype(object)[t],
                         "ordered_qty": ordered[sku, t], "shipped_qty": shipped[sku, t],
                         "shipped_on_time_in_full_qty": on_time[sku, t], "promo": promo[sku, t]})


def _resources_and_routings(cat: pd.DataFrame, weekly: np.ndarray, bucket: str, rng: np.random.Generator
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hours per unit scaled so each resource's load over the last 52 weeks is its target on
    average (never under 72 %), and FILL-1 (juice, water) is full in its four peak summer weeks."""
    steps = [(i, res) for i, route in enumerate(cat["route"]) for res in route]
    sku, res = np.array([i for i, _ in steps]), np.array([r for _, r in steps])
    raw = _SIZE_HOURS[cat["size"].to_numpy()[sku]] * rng.uniform(0.8, 1.25, len(steps))
    hours = np.zeros(len(steps))
    for code, _, capacity, _, target in _RESOURCES:
        on = res == code
        load = raw[on] @ weekly[sku[on], -52:] / capacity
        peak = np.convolve(load, np.ones(4) / 4, "valid").max()
        aim = _BOTTLENECK_PEAK / peak if target is None else min(target / load.mean(), _MAX_PEAK / peak)
        scale = max(aim, _MIN_LOAD / load.mean())
        hours[on] = [float(f"{h:.3g}") for h in raw[on] * scale]
    resources = pd.DataFrame(
        [{"resource": code, "name": name, "capacity_hours": round(capacity * WEEKS_PER_BUCKET[bucket], 1),
          "cost_per_hour": cost, "overtime_hours": round(_OVERTIME_SHARE * capacity * WEEKS_PER_BUCKET[bucket], 1),
          "overtime_cost_per_hour": round(OVERTIME_COST_FACTOR * cost, 2)}
         for code, name, capacity, cost, _ in _RESOURCES])
    routings = pd.DataFrame({"sku": cat["sku"].to_numpy()[sku], "resource": res, "hours_per_unit": hours})
    return resources, routings


def _recent_average(ordered: np.ndarray, active: np.ndarray, bucket: str) -> np.ndarray:
    """Units per bucket over the last quarter, counting only buckets since launch."""
    window = RECENT[bucket]
    return ordered[:, -window:].sum(1) / np.maximum(active[:, -window:].sum(1), 1)


def _inventory(cat: pd.DataFrame, periods: np.ndarray, recent: np.ndarray, active: np.ndarray,
               bucket: str, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Stock counts at the last 12 bucket starts; at `end` most SKUs hold 1-8 weeks of cover,
    one in ten is nearly out (stockout risk) and one in ten holds 10-20 weeks (excess)."""
    n, snaps = len(cat), 12
    draw = rng.random(n)
    cover = np.select([draw < 0.1, draw > 0.9], [rng.uniform(0, 0.3, n), rng.uniform(10, 20, n)],
                      rng.uniform(1, 8, n))
    drift = rng.lognormal(0, 0.25, (n, snaps))
    drift[:, -1] = 1.0
    per_week = recent / WEEKS_PER_BUCKET[bucket]
    on_hand = np.round(per_week[:, None] * cover[:, None] * drift).astype(np.int64)
    sku, t = np.nonzero(active[:, -snaps:])
    frame = pd.DataFrame({"sku": cat["sku"].to_numpy()[sku], "snapshot_date": periods[-snaps:].astype(object)[t],
                          "on_hand": on_hand[sku, t]})
    return frame, on_hand[:, -1]


def _supply(cat: pd.DataFrame, periods: np.ndarray, recent: np.ndarray, on_hand: np.ndarray,
            bucket: str) -> pd.DataFrame:
    """Receipts in whole MOQ lots that cover seasonal need plus one bucket of safety stock.

    Receipts inside the lead time are released orders (firm); later ones are planned. A
    phase-out SKU gets no new planned orders.
    """
    horizon = HORIZON[bucket]
    future = _bucket_starts(periods[-1].astype(date), horizon, bucket, offset=horizon)
    mid = _MID_BUCKET_DAYS[bucket]
    recent_season = _seasonality(cat, periods[-RECENT[bucket]:] + mid).mean(1, keepdims=True)
    seasonal = _seasonality(cat, future + mid) / recent_season
    need = recent[:, None] * seasonal
    moq = cat["moq"].to_numpy()[:, None]
    lots = np.ceil(np.maximum(np.cumsum(need, 1) + need[:, :1] - on_hand[:, None], 0) / moq)
    receipts = (np.diff(lots, axis=1, prepend=0) * moq).astype(np.int64)
    days_per_bucket = 7 * WEEKS_PER_BUCKET[bucket]
    firm_buckets = np.maximum(2 if bucket == "week" else 1, np.ceil(cat["lead_time_days"] / days_per_bucket))
    firm = np.arange(1, horizon + 1)[None, :] <= firm_buckets.to_numpy()[:, None]
    receipts[(cat["status"] == "phase_out").to_numpy()[:, None] & ~firm] = 0
    sku, t = np.nonzero(receipts)
    kind = np.where([len(r) > 0 for r in cat["route"]], SupplyKind.MAKE, SupplyKind.BUY)
    return pd.DataFrame({"sku": cat["sku"].to_numpy()[sku], "period": future.astype(object)[t],
                         "planned_receipts": receipts[sku, t], "kind": kind[sku], "firm": firm[sku, t]})
