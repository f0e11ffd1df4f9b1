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
4. Evidence pooled across the run's SKUs: three backtest windows of one SKU overlap and are
   noisy, so each model's error is taken relative to the SKU's best model and averaged with
   that model's average relative error over every SKU of the run (`pooled_relative_errors`),
   half and half (SHRINK), in runs of at least 30 series (engine.POOL_MIN_SERIES). Rank and
   weights come from that shrunk score. Chosen on the inner hold-out of the training data (the
   bench's test buckets never read): the shrunk top three
   came 11.4% below the best statsforecast model on the weekly demo and 3.6% on aus_livestock,
   against 11.0% and 0.8% for each SKU's own top three; the top two, or shrinking by a quarter,
   did worse on one of them. On aus_retail 1.7% above against 3.6% above; on PBS it did worse
   (6.8% below against 11.1%): three data sets of four gain (bench/README.md, issue 17).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from genxsop_core.forecasting.backtest import ModelBacktest, combine

INTERMITTENT_ZERO_SHARE = 0.3
COMBO_PREFIX = "combo:"
COMBINATION_SIZE = 3
SHRINK = 0.5  # weight of the SKU's own relative error; the rest is the run's pooled one (module doc, 4.)

Pooled = Mapping[str, float]  # model -> its mean error relative to each SKU's best model, over the run


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


Judged = tuple[str, str, dict[str, float], dict[str, ModelBacktest]]  # metric, pattern, errors, comparable


def _judging_errors(y: np.ndarray, season_length: int, backtests: Mapping[str, ModelBacktest]) -> Judged:
    """The metric that judges this series, its pattern, and each comparable model's error (step 2)."""
    usable = {name: bt for name, bt in backtests.items() if bt.usable}
    if not usable:
        return "mae", "smooth", {}, {}
    most_windows = max(len(bt.origins) for bt in usable.values())
    usable = {n: bt for n, bt in usable.items() if len(bt.origins) == most_windows}  # compare like with like
    if is_intermittent(y):
        metric, pattern = "rmse", f"intermittent ({np.mean(y == 0):.0%} zero buckets)"
    else:
        metric, pattern = "mae", "smooth"
    return metric, pattern, {n: bt.scores(y, season_length)[metric] for n, bt in usable.items()}, usable


def _relative(errors: Mapping[str, float]) -> dict[str, float]:
    """Each model's error over the best one's (1 = the best); empty when the best is 0 or not finite."""
    finite = [e for e in errors.values() if np.isfinite(e)]
    best = min(finite) if finite else np.nan
    if not np.isfinite(best) or best <= 0:
        return {}
    return {n: e / best for n, e in errors.items() if np.isfinite(e)}


def pooled_relative_errors(histories: Sequence[np.ndarray], season_length: int,
                           tested: Sequence[Mapping[str, ModelBacktest]]) -> dict[str, float]:
    """Each model's mean relative error over the SKUs of a run (module doc, 4.): how much worse than
    each SKU's best model it backtests, on average; unitless, so SKUs of any volume count alike."""
    sums: dict[str, list[float]] = {}
    for y, backtests in zip(histories, tested):
        for name, ratio in _relative(_judging_errors(y, season_length, backtests)[2]).items():
            sums.setdefault(name, []).append(ratio)
    return {name: float(np.mean(ratios)) for name, ratios in sums.items()}


def _fmt(value: float) -> str:
    return f"{value:,.3g}" if np.isfinite(value) else "n/a"


def shrunk_scores(errors: Mapping[str, float], pooled: Pooled | None) -> dict[str, float]:
    """Lower is better: the SKU's own relative error, shrunk toward the run's pooled one (module doc, 4.).
    Without pooled evidence (or a perfect backtest) the SKU's own errors decide alone."""
    own = _relative(errors)
    if not pooled or not own:
        return dict(errors)
    return {n: SHRINK * own[n] + (1 - SHRINK) * pooled.get(n, own[n]) if n in own else np.inf for n in errors}


def choose(y: np.ndarray, season_length: int, backtests: dict[str, ModelBacktest],
           allow_combination: bool = True, pooled: Pooled | None = None) -> Choice:
    """Pick the model, or the weighted blend, with the lowest (shrunk) backtest error (see module doc)."""
    metric, pattern, errors, usable = _judging_errors(y, season_length, backtests)
    if not usable:
        failed = "; ".join(f"{n}: {bt.failure}" for n, bt in backtests.items() if bt.failure)
        choice = rule_for_short_history(y)
        return Choice(choice.model, choice.members,
                      choice.reason + (f" (backtests failed: {failed})" if failed else ""), None)
    scores = shrunk_scores(errors, pooled)
    ranked = sorted(scores, key=lambda n: (not np.isfinite(scores[n]), scores[n], errors[n]))
    best = ranked[0]
    if allow_combination:
        weighted = _weighted_top(y, season_length, usable, ranked, errors, scores, metric, pattern)
        if weighted is not None:
            return weighted
    runners = ", ".join(f"{n} {_fmt(errors[n])}" for n in ranked[1:4])
    basis = _basis(metric, len(usable[best].origins), scores != errors)
    return Choice(best, (best,), (f"{pattern}: best {basis}: {metric.upper()} {_fmt(errors[best])}"
                                  + (f" (then {runners})" if runners else "")), usable[best])


def _basis(metric: str, windows: int, pooled: bool) -> str:
    """How the models were ranked, in the words of the reason a planner reads."""
    own = f"backtest {metric.upper()} over {windows} windows"
    return f"{own}, weighed half and half with how each model did across the run's SKUs" if pooled else own


def _weighted_top(y: np.ndarray, season_length: int, pool: dict[str, ModelBacktest], ranked: list[str],
                  errors: dict[str, float], scores: dict[str, float], metric: str, pattern: str) -> Choice | None:
    """The best few by (shrunk) score, weighted by 1 / score (a perfect backtest takes it all)."""
    top = [n for n in ranked[:COMBINATION_SIZE] if np.isfinite(scores[n])]
    if len(top) < 2:
        return None
    if errors[top[0]] <= 0:
        return None  # a model that backtests perfectly needs no partners
    inverse = np.array([1 / scores[n] for n in top])
    weights = tuple(float(w) for w in inverse / inverse.sum())
    blended = combine([pool[n] for n in top], weights)
    if blended is None:
        return None
    shares = ", ".join(f"{n} {w:.0%} ({metric.upper()} {_fmt(errors[n])})" for n, w in zip(top, weights))
    blended_error = blended.scores(y, season_length)[metric]
    pooled = scores != errors
    return Choice(COMBO_PREFIX + "+".join(sorted(top)), tuple(top), (
        f"{pattern}: the {len(top)} best by {_basis(metric, len(blended.origins), pooled)}, weighted by "
        f"1/{'score' if pooled else metric.upper()}: {shares}; the blend backtests at {_fmt(blended_error)}"),
        blended, weights)
