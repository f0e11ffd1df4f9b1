"""Why the balanced plan is what it is: a sentence per receipt and the constraint that binds each SKU.

Reasons come from the solution and the duals, not from the solver's internals:
- a receipt covers the demand served first-in, first-out after opening stock and earlier
  receipts (so "covers demand of weeks 10-12"), and anything beyond what is served is stock kept
  (safety stock, or built ahead);
- capacity binds a resource in the periods where one more hour is worth something (dual > 0);
  it binds a SKU made there that is short, below safety stock, or holding stock built ahead;
- lead time binds a SKU that is short or below safety stock before a new receipt can land.
Spans of weekly periods are ISO week numbers ("weeks 10-14"), other buckets are dates.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

TOLERANCE = 1e-6


def period_labels(periods: pd.DatetimeIndex, weekly: bool) -> np.ndarray:
    """What a period is called in a sentence: its ISO week number for weekly buckets, else its date."""
    if weekly:
        return periods.isocalendar().week.to_numpy().astype(str)
    return np.asarray(periods.strftime("%Y-%m-%d"), dtype=str)


def spans(labels: np.ndarray, mask: np.ndarray, weekly: bool) -> str:
    """The periods where `mask` is set as runs: "weeks 10-14, 20" or "2026-03-01 to 2026-05-01"
    (`labels` from period_labels)."""
    where = np.flatnonzero(mask)
    if where.size == 0:
        return ""
    breaks = np.flatnonzero(np.diff(where) > 1)
    starts, ends = where[np.r_[0, breaks + 1]], where[np.r_[breaks, where.size - 1]]
    joiner = "-" if weekly else " to "
    runs = ", ".join(labels[a] if a == b else f"{labels[a]}{joiner}{labels[b]}" for a, b in zip(starts, ends))
    if not weekly:
        return runs
    return ("week " if where.size == 1 else "weeks ") + runs


def _capacity_notes(resources: list[str], hour_value: np.ndarray, labels: np.ndarray, weekly: bool) -> list[str]:
    """Per resource "capacity on R in weeks ..." where its hours have value; "" where they never do."""
    return [f"capacity on {name} in {spans(labels, values > TOLERANCE, weekly)}" if (values > TOLERANCE).any() else ""
            for name, values in zip(resources, np.nan_to_num(hour_value))]


def binding(skus: list[str], periods: pd.DatetimeIndex, weekly: bool, *, unmet: np.ndarray, below: np.ndarray,
            end_stock: np.ndarray, safety_stock: np.ndarray, earliest: np.ndarray, made: np.ndarray,
            hours: np.ndarray, resources: list[str], hour_value: np.ndarray) -> pd.DataFrame:
    """One row per SKU and binding constraint: sku, constraint, detail (module doc)."""
    n, horizon = unmet.shape
    inside = np.arange(horizon)[None, :] < earliest[:, None]
    short = unmet > TOLERANCE
    low = below > TOLERANCE
    built_ahead = end_stock > safety_stock + TOLERANCE
    affected = np.asarray((short | low | built_ahead).any(axis=1))
    valuable = np.nan_to_num(hour_value) > TOLERANCE  # (r, T)
    labels = period_labels(periods, weekly)
    notes = _capacity_notes(resources, hour_value, labels, weekly)
    routed = (hours > 0) & made[:, None] & valuable.any(axis=1)[None, :] & affected[:, None]
    rows: list[tuple[str, str, str]] = []
    sku_i, res_i = np.nonzero(routed)
    rows += [(skus[i], "capacity", notes[r]) for i, r in zip(sku_i, res_i)]
    lead = ((short | low) & inside).any(axis=1)
    for i in np.flatnonzero(lead):
        first = periods[earliest[i]] if earliest[i] < horizon else None
        when = f"no new receipt lands before {first:%Y-%m-%d}" if first is not None else \
            "no new receipt lands within the horizon"
        where = spans(labels, (short[i] | low[i]) & inside[i], weekly)
        rows.append((skus[i], "lead time", f"{when}; short or below safety stock in {where}"))
    kept = (safety_stock > TOLERANCE).any(axis=1)
    below_reachable = np.asarray((low & ~inside).any(axis=1))
    for i in np.flatnonzero(kept & ~routed.any(axis=1) & ~lead):
        detail = f"below safety stock in {spans(labels, low[i] & ~inside[i], weekly)}: keeping it costs more than " \
                 "it is worth" if below_reachable[i] else \
            f"receipts keep {safety_stock[i].max():,.0f} units of safety stock"
        rows.append((skus[i], "safety stock", detail))
    listed = {sku for sku, _, _ in rows}
    rows += [(sku, "none", "demand is met and safety stock kept") for sku in skus if sku not in listed]
    frame = pd.DataFrame(rows, columns=["sku", "constraint", "detail"])
    return frame.sort_values(["sku", "constraint"], kind="stable").reset_index(drop=True)


def _covered(opening: np.ndarray, receipts: np.ndarray, served: np.ndarray, sku: np.ndarray,
             period: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last period whose served demand a receipt covers (first-in, first-out), and the
    units of it not served within the horizon; -1 where it covers none. Vectorised by offsetting
    each SKU's cumulative figures so all SKUs sort as one array."""
    n, horizon = served.shape
    cumulative = np.cumsum(served, axis=1)
    top = float(max(cumulative.max(initial=0.0), (opening[:, None] + np.cumsum(receipts, axis=1)).max(initial=0.0)))
    offset = (np.arange(n) * (top + 1.0))[:, None]
    flat = (cumulative + offset).ravel()
    before = opening[sku] + np.cumsum(receipts, axis=1)[sku, period] - receipts[sku, period]
    after = before + receipts[sku, period]
    base = offset[sku, 0]
    first = np.searchsorted(flat, before + base + TOLERANCE, side="right") - sku * horizon
    last = np.searchsorted(flat, after + base - TOLERANCE, side="left") - sku * horizon
    last = np.minimum(last, horizon - 1)
    covers = (first < horizon) & (after > before + TOLERANCE) & (cumulative[sku, -1] > before + TOLERANCE)
    kept = np.maximum(after - np.maximum(cumulative[sku, -1], before), 0.0)
    return np.where(covers, first, -1), np.where(covers, last, -1), kept


def receipt_reasons(skus: list[str], periods: pd.DatetimeIndex, weekly: bool, *, sku: np.ndarray,
                    period: np.ndarray, quantity: np.ndarray, planned: np.ndarray, firm: np.ndarray,
                    opening: np.ndarray, receipts: np.ndarray, served: np.ndarray, made: np.ndarray,
                    hours: np.ndarray, resources: list[str], hour_value: np.ndarray) -> list[str]:
    """A sentence per receipt row (sku, period index): why it is there (module doc). One pass of
    string formatting per row; everything else is computed for all rows at once."""
    first, last, kept = _covered(opening, receipts, served, sku, period)
    labels = period_labels(periods, weekly)
    joiner = "-" if weekly else " to "
    prefix = ("week ", "weeks ") if weekly else ("", "")
    valuable = np.nan_to_num(hour_value) > TOLERANCE  # (r, T)
    counted = np.concatenate([np.zeros((valuable.shape[0], 1), dtype=int), np.cumsum(valuable, axis=1)], axis=1)
    routed = [np.flatnonzero(row > 0) for row in hours]
    end = np.maximum(last, period) + 1  # the window a made receipt serves: its period to the last it covers
    said: dict[tuple[int, int, int], str] = {}  # (resource, start, stop): a window repeats across SKUs

    def binds(r: int, t: int, stop: int) -> str:
        if (r, t, stop) not in said:
            window = spans(labels[t:stop], valuable[r, t:stop], weekly)
            said[r, t, stop] = f"capacity on {resources[r]} binds in {window}"
        return said[r, t, stop]

    reasons = []
    for k in range(sku.size):
        if firm[k]:
            reasons.append("released order, kept as it is")
            continue
        if quantity[k] <= TOLERANCE:
            reasons.append("cancelled: demand is covered without it")
            continue
        parts = []
        a, b = first[k], last[k]
        if a >= 0:
            parts.append(f"covers demand of {prefix[0]}{labels[a]}" if a == b else
                         f"covers demand of {prefix[1]}{labels[a]}{joiner}{labels[b]}")
        if kept[k] > TOLERANCE:
            parts.append(f"keeps {kept[k]:,.0f} units in stock (safety stock)")
        if made[k]:
            t, stop = period[k], end[k]
            parts += [binds(r, t, stop) for r in routed[sku[k]] if counted[r, stop] > counted[r, t]]
            if a > period[k] + 1:
                parts.append("made ahead of demand")
        reasons.append("; ".join(parts) if parts else "covers demand")
    return reasons
