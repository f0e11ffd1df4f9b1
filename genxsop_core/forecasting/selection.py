"""How auto picks a model per SKU, and the sentence that says why.

1. History guard: too few buckets to backtest -> a simple method by rule.
2. The error that judges: RMSE for intermittent series (many zero buckets; MAE rewards
   forecasting zero, which empties shelves), MAE for smooth ones (the ranking MASE gives).
   Every candidate competes, the methods built for intermittent demand among them.
3. The three candidates with the lowest backtest error are averaged with weights
   proportional to 1 / error. Picking one winner from three backtest windows is noisy: on
   the benchmark the weighted top three came 17.4% (PBS) and 20.8% (aus_retail) below
   seasonal naive on mean MASE, the single winner or best pair 15.6% and 19.0%
   (bench/README.md). It needs no gate that would itself be chosen on the same windows.
   A model that backtests perfectly is used alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genxsop_core.forecasting.backtest import ModelBacktest, combine

INTERMITTENT_ZERO_SHARE = 0.3
COMBO_PREFIX = "combo:"
COMBINATION_SIZE = 3


@dataclass(frozen=True)
class Choice:
    model: str  # a strategy name or "combo:a+b[+c]"
    members: tuple[str, ...]  # the strategies whose final forecasts are combined
    reason: str
    backtest: ModelBacktest | None
    weights: tuple[float, ...] = ()  # one per member, summing to 1; empty = equal weights

    def combine(self, paths: list[np.ndarray]) -> np.ndarray:
        """The members' forecasts (in member order) combined with this choice's weights."""
        weights = self.weights or (1 / len(paths),) * len(paths)
        return np.sum([w * np.asarray(p, dtype=float) for w, p in zip(weights, paths)], axis=0)


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
    """Pick the model, or the weighted blend, with the lowest backtest error (see module doc)."""
    usable = {name: bt for name, bt in backtests.items() if bt.usable}
    if not usable:
        failed = "; ".join(f"{n}: {bt.failure}" for n, bt in backtests.items() if bt.failure)
        choice = rule_for_short_history(y)
        return Choice(choice.model, choice.members,
                      choice.reason + (f" (backtests failed: {failed})" if failed else ""), None)
    most_windows = max(len(bt.origins) for bt in usable.values())
    usable = {n: bt for n, bt in usable.items() if len(bt.origins) == most_windows}  # compare like with like
    if is_intermittent(y):
        metric, pattern = "rmse", f"intermittent ({np.mean(y == 0):.0%} zero buckets)"
    else:
        metric, pattern = "mae", "smooth"
    errors = {n: bt.scores(y, season_length)[metric] for n, bt in usable.items()}
    ranked = sorted(errors, key=lambda n: (not np.isfinite(errors[n]), errors[n]))
    best = ranked[0]
    if allow_combination:
        weighted = _weighted_top(y, season_length, usable, ranked, errors, metric, pattern)
        if weighted is not None:
            return weighted
    runners = ", ".join(f"{n} {_fmt(errors[n])}" for n in ranked[1:4])
    return Choice(best, (best,), (f"{pattern}: lowest backtest {metric.upper()} {_fmt(errors[best])} over "
                                  f"{len(usable[best].origins)} windows" + (f" (then {runners})" if runners else "")),
                  usable[best])


def _weighted_top(y: np.ndarray, season_length: int, pool: dict[str, ModelBacktest], ranked: list[str],
                  errors: dict[str, float], metric: str, pattern: str) -> Choice | None:
    """The best few by backtest error, weighted by 1 / error (a perfect backtest takes it all)."""
    top = [n for n in ranked[:COMBINATION_SIZE] if np.isfinite(errors[n])]
    if len(top) < 2:
        return None
    if errors[top[0]] <= 0:
        return None  # a model that backtests perfectly needs no partners
    inverse = np.array([1 / errors[n] for n in top])
    weights = tuple(float(w) for w in inverse / inverse.sum())
    blended = combine([pool[n] for n in top], weights)
    if blended is None:
        return None
    shares = ", ".join(f"{n} {w:.0%} (MAE {_fmt(errors[n])})" for n, w in zip(top, weights))
    blended_error = blended.scores(y, season_length)[metric]
    return Choice(COMBO_PREFIX + "+".join(sorted(top)), tuple(top), (
        f"{pattern}: the {len(top)} lowest backtest {metric.upper()}s over {len(blended.origins)} windows, "
        f"weighted by 1/{metric.upper()}: {shares}; the blend backtests at {_fmt(blended_error)}"),
        blended, weights)
