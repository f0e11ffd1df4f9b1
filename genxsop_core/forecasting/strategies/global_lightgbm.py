"""LightGBM across SKUs (mlforecast): the global model as a candidate auto can choose per SKU.

The model is fitted over all series by `forecasting.run` before the chunks run
(`forecasting.global_model`); this strategy returns the path fitted for the history it is
handed, found by (unique_id, history buckets) in the table the run's options carry.
Outside a run (`forecasting.backtest`, a direct call), or for a history the table lacks, it
fits one global model over the batch it is given: every series of a backtest window, or one
series alone when called with one. Quantiles come from its backtest errors (intervals.py).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from genxsop_core.forecasting import global_model
from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast
from genxsop_core.forecasting.registry import register


@register
class GlobalLightGBM(Strategy):
    name = global_model.MODEL_NAME
    label = "LightGBM across SKUs (mlforecast)"
    description = "One gradient-boosted model learnt from every SKU: lags, rolling means, calendar, promotions"
    min_history = global_model.MIN_HISTORY
    uses_promo = True

    def __init__(self, paths: global_model.PathTable | None = None, failure: str | None = None):
        self.paths = paths or {}
        self.failure = failure

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> GlobalLightGBM:
        return cls(options.get(global_model.PATHS_OPTION), options.get(global_model.FAILURE_OPTION))

    def availability(self) -> str | None:
        """Found, not imported: auto asks on every run, and importing LightGBM costs a second."""
        from importlib.util import find_spec

        missing = [name for name in ("mlforecast", "lightgbm") if find_spec(name) is None]
        return f"needs mlforecast and lightgbm ({', '.join(missing)} not installed)" if missing else None

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        return self.forecast_many([series], horizon, quantiles)[0]

    def forecast_many(self, batch: Sequence[SeriesInput], horizon: int,
                      quantiles: Sequence[float]) -> list[StrategyForecast]:
        if self.failure:
            raise RuntimeError(f"the run-wide LightGBM fit failed: {self.failure}")
        found = [self._known(series, horizon) for series in batch]
        missing = [i for i, path in enumerate(found) if path is None]
        if missing:
            for i, path in zip(missing, global_model.forecast_batch([batch[i] for i in missing], horizon)):
                found[i] = path
        return [StrategyForecast(np.asarray(path, dtype=float)) for path in found]

    def _known(self, series: SeriesInput, horizon: int) -> np.ndarray | None:
        path = self.paths.get((series.unique_id, len(series.y)))
        return path if path is not None and len(path) == horizon else None
