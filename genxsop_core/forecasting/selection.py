"""How auto picks a model per SKU, and the sentence that says why.

1. History guard: too few buckets to backtest -> a simple method by rule.
2. Demand pattern: intermittent series (many zero buckets) compete among the methods built
   for them and are judged on RMSE (MAE rewards forecasting zero, which empties shelves).
   Smooth series compete among all candidates on MAE (the same ranking MASE gives).
3. The two best may be averaged; the average is kept only when its backtest error is lower.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genxsop_core.forecasting.backtest import ModelBacktest, combine
from genxsop_core.forecasting.factory import INTERMITTENT_MODELS

INTERMITTENT_ZERO_SHARE = 0.3
COMBO_PREFIX = "combo:"


@dataclass(frozen=True)
class Choice:
    model: str  # a strategy name or "combo:a+b"
    members: tuple[str, ...]  # the strategies whose final forecasts are averaged
    reason: str
    backtest: ModelBacktest | None


def is_intermittent(y: np.ndarray) -> bool:
    return len(y) > 0 and float(np.mean(y == 0)) >= INTERMITTENT_ZERO_SHARE


def rule_for_short_history(y: np.ndarray) -> Choice:
    if len(y) < 4:
        return Choice("naive", ("naive",), f"only {len(y)} buckets of history: too short to backtest, "
                      "last value carried forward", None)
    return Choice("moving_average", ("moving_average",),
                  f"only {len(y)} buckets of history: too short to backtest, moving average used", None)


def _fmt(value: float) -> str:
    return f"{value:,.3g}" if np.isfinite(value) else "n/a"


def choose(y: np.ndarray, season_length: int, backtests: dict[str, ModelBacktest],
           allow_combination: bool = True) -> Choice:
    """Pick the model with the lowest backtest error for this series (see module doc)."""
    usable = {name: bt for name, bt in backtests.items() if bt.usable}
    if not usable:
        failed = "; ".join(f"{n}: {bt.failure}" for n, bt in backtests.items() if bt.failure)
        choice = rule_for_short_history(y)
        return Choice(choice.model, choice.members, choice.reason + (f" (backtests failed: {failed})" if failed else ""),
                      None)
    most_windows = max(len(bt.origins) for bt in usable.values())
    usable = {n: bt for n, bt in usable.items() if len(bt.origins) == most_windows}  # compare like with like
    intermittent = is_intermittent(y)
    if intermittent:
        pool = {n: bt for n, bt in usable.items() if n in INTERMITTENT_MODELS} or usable
        metric, pattern = "rmse", f"intermittent ({np.mean(y == 0):.0%} zero buckets)"
    else:
        pool, metric, pattern = usable, "mae", "smooth"
    errors = {n: bt.scores(y, season_length)[metric] for n, bt in pool.items()}
    ranked = sorted(errors, key=lambda n: (not np.isfinite(errors[n]), errors[n]))
    best = ranked[0]
    runners = ", ".join(f"{n} {_fmt(errors[n])}" for n in ranked[1:4])
    windows = len(pool[best].origins)
    if allow_combination and len(ranked) >= 2:
        pair = combine([pool[ranked[0]], pool[ranked[1]]])
        if pair is not None:
            pair_error = pair.scores(y, season_length)[metric]
            if np.isfinite(pair_error) and pair_error < errors[best]:
                name = COMBO_PREFIX + "+".join(sorted(ranked[:2]))
                return Choice(name, (ranked[0], ranked[1]), (
                    f"{pattern}: average of {ranked[0]} and {ranked[1]} has backtest {metric.upper()} "
                    f"{_fmt(pair_error)} over {len(pair.origins)} windows, below the best single "
                    f"({best} {_fmt(errors[best])}; then {runners})"), pair)
    return Choice(best, (best,), (f"{pattern}: lowest backtest {metric.upper()} {_fmt(errors[best])} over "
                                  f"{windows} windows" + (f" (then {runners})" if runners else "")), pool[best])
