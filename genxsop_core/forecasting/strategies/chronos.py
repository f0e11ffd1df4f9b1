"""Chronos-2, Amazon's pretrained time-series model, as a zero-shot forecasting strategy.

The model comes from `GENXSOP_CHRONOS_MODEL` (a hub id or a local folder; default
`amazon/chronos-2`), read when the model is first needed and loaded once per process and per
value. Without weights (offline, no local folder) the strategy reports one line through
`availability()` and "auto" leaves it out (docs/forecasting.md, Chronos-2).

Chronos-2 predicts a fixed grid of quantiles (21 levels, 0.01 to 0.99, for the published model)
for many series in one forward pass, and takes planned promotions as a known-future covariate.
It has no mean head: the point forecast is its median, as in the pipeline's own
`predict_quantiles`. torch and chronos are imported only when the model is loaded.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast, Unavailable
from genxsop_core.forecasting.registry import register

logger = logging.getLogger(__name__)

MODEL_ENV = "GENXSOP_CHRONOS_MODEL"
DEFAULT_MODEL = "amazon/chronos-2"
BATCH_ROWS = 256  # series + covariate rows per forward pass; the pipeline chunks longer batches
HUB_PROBE_TIMEOUT_S = 3.0
OFFLINE_HINT = "no weights offline: set GENXSOP_CHRONOS_MODEL to a local folder"
# Levels the pipeline feeds back as context beyond its single-pass horizon (its own default).
DEFAULT_UNROLLED_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

_lock = threading.Lock()
_pipelines: dict[str, Any] = {}  # GENXSOP_CHRONOS_MODEL value -> loaded Chronos2Pipeline
_failures: dict[str, str] = {}  # GENXSOP_CHRONOS_MODEL value -> why it could not be loaded
_threads_pid: int | None = None  # the process whose torch threads were last configured


def model_setting() -> str:
    """The configured model: hub id or local folder."""
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


def clear_cache() -> None:
    """Forget loaded models and load failures (tests; a new model folder at the same path)."""
    with _lock:
        _pipelines.clear()
        _failures.clear()


def _looks_like_path(value: str) -> bool:
    return os.path.isabs(value) or value.startswith((".", "~")) or "\\" in value


def _hub_reachable() -> bool:
    """A quick TCP probe, because an unreachable hub costs ~25 s of retries inside transformers."""
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        with socket.create_connection((host, 443), timeout=HUB_PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def _configure_torch_threads() -> None:
    """Once per process: torch's default threads, at most one per core; one in worker processes.

    In a process-pool worker the orchestrator already parallelises over series, and a worker
    forked from a process that ran torch hangs in its first multi-threaded op (torch's
    thread pool does not survive fork), so workers run torch single-threaded.
    """
    global _threads_pid
    if _threads_pid == os.getpid():
        return
    import torch

    if _threads_pid is not None or multiprocessing.parent_process() is not None:
        torch.set_num_threads(1)
    else:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if torch.get_num_threads() > cores:
            torch.set_num_threads(cores)
    _threads_pid = os.getpid()


def _load(value: str) -> Any:
    """Load the pipeline for one setting; raise Unavailable with a one-line reason."""
    folder = Path(value).expanduser()
    if folder.is_dir():
        # huggingface_hub reads HF_HUB_OFFLINE when first imported, so also pass local_files_only.
        os.environ["HF_HUB_OFFLINE"] = "1"
    elif _looks_like_path(value):
        raise Unavailable(f"Chronos-2 model '{value}' could not be loaded (folder not found)")
    try:
        from chronos import BaseChronosPipeline, Chronos2Pipeline
    except ImportError as exc:
        raise Unavailable(
            f"Chronos-2 model '{value}' could not be loaded (package chronos-forecasting is not "
            f"installed: {exc})") from exc
    _configure_torch_threads()
    started = time.perf_counter()
    if folder.is_dir():
        pipeline = BaseChronosPipeline.from_pretrained(str(folder), device_map="cpu", local_files_only=True)
    else:
        # Offline first: weights already in the Hugging Face cache load without the network.
        try:
            pipeline = BaseChronosPipeline.from_pretrained(value, device_map="cpu", local_files_only=True)
        except OSError:
            offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}
            if offline or not _hub_reachable():
                raise Unavailable(f"Chronos-2 model '{value}' could not be loaded ({OFFLINE_HINT})") from None
            pipeline = BaseChronosPipeline.from_pretrained(value, device_map="cpu")
    if not isinstance(pipeline, Chronos2Pipeline):
        raise Unavailable(
            f"Chronos-2 model '{value}' could not be loaded (it is a {type(pipeline).__name__}, "
            "not a Chronos-2 model)")
    logger.info("Loaded Chronos-2 model %r in %.1f s", value, time.perf_counter() - started)
    return pipeline


def _pipeline() -> Any:
    """The cached pipeline for the current setting, loading it on first use."""
    value = model_setting()
    with _lock:
        if value in _pipelines:
            return _pipelines[value]
        if value in _failures:
            raise Unavailable(_failures[value])
        try:
            pipeline = _load(value)
        except Unavailable as exc:
            _failures[value] = str(exc)
            raise
        except Exception as exc:  # any loader error becomes a reason, never a crash
            detail = " ".join(str(exc).split())[:200] or type(exc).__name__
            _failures[value] = f"Chronos-2 model '{value}' could not be loaded ({detail})"
            raise Unavailable(_failures[value]) from exc
        _pipelines[value] = pipeline
        return pipeline


def _has_future_promo(series: SeriesInput) -> bool:
    return (series.promo is not None and series.future_promo is not None
            and len(series.promo) == len(series.y) and len(series.future_promo) > 0)


def _model_input(series: SeriesInput, horizon: int, with_promo: bool) -> dict[str, Any]:
    """One series in the pipeline's dict format; promo only when its planned future is known."""
    item: dict[str, Any] = {"target": np.asarray(series.y, dtype=np.float32)}
    if with_promo:
        planned = np.full(horizon, np.nan, dtype=np.float32)  # NaN = not planned yet = unknown
        known = np.asarray(series.future_promo, dtype=np.float32)[:horizon]
        planned[:len(known)] = known
        item["past_covariates"] = {"promo": np.asarray(series.promo, dtype=np.float32)}
        item["future_covariates"] = {"promo": planned}
    return item


def _interpolate_levels(grid: np.ndarray, values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Linear interpolation between the model's quantile rows (values: grid levels x horizon).

    Levels outside the model's grid (below 0.01 or above 0.99 for Chronos-2) are clamped to the
    end rows, as the pipeline's own `predict_quantiles` does: the extreme tails come out a little
    narrow. Rows must already be sorted, which keeps the result monotone across levels.
    """
    position = np.interp(levels, grid, np.arange(len(grid)))
    lower = np.floor(position).astype(int)
    upper = np.minimum(lower + 1, len(grid) - 1)
    weight = (position - lower)[:, None]
    return values[lower] * (1.0 - weight) + values[upper] * weight


@register
class Chronos2Strategy(Strategy):
    """Chronos-2 zero-shot forecasts with native quantiles, batched over series.

    Horizons beyond one forward pass (max_output_patches x output_patch_size: 1024 buckets for
    the published model, 64 for the tiny test model) are allowed: the pipeline unrolls them
    autoregressively, feeding its own 0.1-0.9 quantiles back as context; quality may degrade.
    """

    name = "chronos2"
    label = "Chronos-2"
    description = "Chronos-2 pretrained model: zero-shot, native quantiles, planned promotions as covariate"
    min_history = 8
    native_quantiles = True
    uses_promo = True
    heavy = True
    optional = True  # chronos-forecasting (torch) and the model weights

    def availability(self) -> str | None:
        try:
            _pipeline()
        except Unavailable as exc:
            return str(exc)
        except Exception as exc:  # availability never raises
            return f"Chronos-2 model '{model_setting()}' could not be loaded ({type(exc).__name__}: {exc})"
        return None

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        return self.forecast_many([series], horizon, quantiles)[0]

    def forecast_many(self, batch: Sequence[SeriesInput], horizon: int,
                      quantiles: Sequence[float]) -> list[StrategyForecast]:
        """One pipeline call per input schema: series with planned promotions, series without.

        The pipeline requires every series in a call to share the same covariates, so a batch
        mixing both kinds takes two calls; each call is chunked by the pipeline (BATCH_ROWS).
        """
        if horizon < 1:
            raise ValueError(f"horizon must be at least 1, got {horizon}")
        levels = [float(q) for q in quantiles]
        if any(not 0.0 < q < 1.0 for q in levels):
            raise ValueError(f"quantile levels must lie strictly between 0 and 1, got {levels}")
        if not batch:
            return []
        pipeline = _pipeline()
        _configure_torch_threads()  # again: this may be a worker forked after the model loaded
        grid = np.asarray(pipeline.quantiles, dtype=float)
        unrolled = [q for q in DEFAULT_UNROLLED_LEVELS if q in pipeline.quantiles]
        if len(unrolled) < len(DEFAULT_UNROLLED_LEVELS):  # custom grid: unroll what it has
            unrolled = [q for q in pipeline.quantiles if 0.1 <= q <= 0.9] or list(pipeline.quantiles)
        if horizon > pipeline.model_prediction_length:
            # The pipeline warns on every such call; longer horizons are accepted on purpose
            # (class docstring), so log once per call instead. Re-adding the filter is idempotent.
            warnings.filterwarnings("ignore", message="We recommend keeping prediction length",
                                    category=UserWarning, module="chronos")
            logger.info("Chronos-2 horizon %d exceeds one forward pass (%d): unrolling",
                        horizon, pipeline.model_prediction_length)

        results: list[StrategyForecast | None] = [None] * len(batch)
        groups: dict[bool, list[int]] = {}
        for index, series in enumerate(batch):
            groups.setdefault(_has_future_promo(series), []).append(index)
        for with_promo, indices in groups.items():
            inputs = [_model_input(batch[i], horizon, with_promo) for i in indices]
            predictions = pipeline.predict(inputs, prediction_length=horizon, batch_size=BATCH_ROWS,
                                           unrolled_quantiles=unrolled)
            for index, prediction in zip(indices, predictions):
                results[index] = self._to_forecast(prediction[0].numpy(), grid, levels)
        return results  # type: ignore[return-value]

    @staticmethod
    def _to_forecast(values: np.ndarray, grid: np.ndarray, levels: list[float]) -> StrategyForecast:
        """Model quantile rows (grid levels x horizon) -> median path and the requested levels."""
        # Sorting fixes crossed quantiles (common for random test weights, rare for the real
        # model); clipping after sorting keeps them monotone, since demand cannot be negative.
        ordered = np.clip(np.sort(values.astype(np.float64), axis=0), 0.0, None)
        paths = _interpolate_levels(grid, ordered, np.asarray(levels + [0.5]))
        return StrategyForecast(mean=paths[-1], quantiles={q: paths[i] for i, q in enumerate(levels)})
