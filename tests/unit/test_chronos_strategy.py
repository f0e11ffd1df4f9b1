"""Chronos-2 strategy against a tiny random model: loading, caching, batching, failure reasons.

Random weights give meaningless values, so forecasts are checked for shape, levels, finiteness,
non-negativity and monotone quantiles only.
"""
from __future__ import annotations

import multiprocessing
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("chronos")

from chronos import BaseChronosPipeline, Chronos2Pipeline  # noqa: E402

from genxsop_core.forecasting.base import SeriesInput, Unavailable  # noqa: E402
from genxsop_core.forecasting.strategies import chronos as chronos_strategy  # noqa: E402
from genxsop_core.forecasting.strategies.chronos import MODEL_ENV, Chronos2Strategy  # noqa: E402
from tests.chronos_tiny import build_tiny_chronos2  # noqa: E402

LEVELS = [0.005, 0.05, 0.1, 0.25, 0.33, 0.5, 0.75, 0.9, 0.95, 0.995]  # 0.005, 0.33, 0.995 off-grid


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_chronos2(tmp_path_factory.mktemp("chronos2-tiny"))


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch):
    """Every test loads afresh; HF_HUB_OFFLINE, which loading a folder sets, is restored after."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    chronos_strategy.clear_cache()
    yield
    chronos_strategy.clear_cache()


@pytest.fixture
def strategy(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> Chronos2Strategy:
    monkeypatch.setenv(MODEL_ENV, str(tiny_model))
    return Chronos2Strategy()


@pytest.fixture
def load_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every BaseChronosPipeline.from_pretrained call, still loading for real."""
    calls: list[str] = []
    original = BaseChronosPipeline.from_pretrained

    def counting(cls, name_or_path, *args, **kwargs):
        calls.append(str(name_or_path))
        return original(name_or_path, *args, **kwargs)

    monkeypatch.setattr(BaseChronosPipeline, "from_pretrained", classmethod(counting))
    return calls


def weekly(n: int, seed: int, promo: bool = False, planned: int | None = None) -> SeriesInput:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2022-01-03", periods=n, freq="W-MON").to_numpy()
    y = 50 + 10 * np.sin(np.arange(n) * 2 * np.pi / 52) + rng.poisson(5, n)
    flags = (rng.random(n) > 0.8).astype(float) if promo else None
    future = (rng.random(planned) > 0.7).astype(float) if promo and planned else None
    return SeriesInput(y=y.astype(float), ds=ds, season_length=52, freq="W-MON",
                       promo=flags, future_promo=future, unique_id=f"SKU-{seed}")


def assert_valid(forecast, horizon: int) -> None:
    assert forecast.mean.shape == (horizon,)
    assert np.isfinite(forecast.mean).all() and (forecast.mean >= 0).all()
    assert list(forecast.quantiles) == LEVELS
    paths = np.vstack([forecast.quantiles[q] for q in LEVELS])
    assert paths.shape == (len(LEVELS), horizon)
    assert np.isfinite(paths).all() and (paths >= 0).all()
    assert (np.diff(paths, axis=0) >= 0).all(), "quantiles must not cross"


def test_import_does_not_load_torch() -> None:
    code = ("import sys, genxsop_core.forecasting.strategies.chronos; "
            "assert 'torch' not in sys.modules and 'chronos' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_available_with_tiny_model(strategy: Chronos2Strategy, tiny_model: Path, load_calls: list[str]) -> None:
    assert strategy.availability() is None
    assert load_calls == [str(tiny_model)]
    assert isinstance(chronos_strategy._pipeline(), Chronos2Pipeline)
    assert strategy.name == "chronos2" and strategy.heavy and strategy.native_quantiles


def test_forecast_many_mixed_lengths_and_promo(strategy: Chronos2Strategy) -> None:
    batch = [weekly(30, 1), weekly(100, 2, promo=True, planned=26), weekly(156, 3),
             weekly(60, 4, promo=True)]  # history promo without a plan: forecast without covariate
    forecasts = strategy.forecast_many(batch, 26, LEVELS)
    assert len(forecasts) == len(batch)
    for forecast in forecasts:
        assert_valid(forecast, 26)
    single = strategy.forecast(batch[1], 26, LEVELS)
    np.testing.assert_allclose(single.mean, forecasts[1].mean, rtol=1e-5)


def test_horizon_beyond_one_forward_pass(strategy: Chronos2Strategy) -> None:
    batch = [weekly(156, 5), weekly(80, 6, promo=True, planned=26)]  # plan shorter than horizon
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the pipeline's "keep prediction length <= 64" is handled
        forecasts = strategy.forecast_many(batch, 70, LEVELS)
    for forecast in forecasts:
        assert_valid(forecast, 70)


def _forecast_in_child(queue) -> None:
    forecast = Chronos2Strategy().forecast(weekly(60, 11), 8, LEVELS)
    queue.put(forecast.mean.shape)


def test_forked_worker_does_not_hang(strategy: Chronos2Strategy) -> None:
    """A pool worker forked after the parent ran torch must not deadlock in torch's thread pool."""
    strategy.forecast_many([weekly(156, i) for i in range(20)], 26, LEVELS)  # parent uses threads
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_forecast_in_child, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail("Chronos-2 forecast in a forked process hung")
    assert child.exitcode == 0 and queue.get(timeout=5) == (8,)


def test_without_quantiles_gives_the_median_only(strategy: Chronos2Strategy) -> None:
    forecast = strategy.forecast(weekly(40, 12), 5, ())
    assert forecast.mean.shape == (5,) and forecast.quantiles == {}


def test_invalid_arguments(strategy: Chronos2Strategy) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        strategy.forecast(weekly(30, 7), 4, [0.5, 1.0])
    with pytest.raises(ValueError, match="horizon"):
        strategy.forecast(weekly(30, 7), 0, [0.5])
    assert strategy.forecast_many([], 4, [0.5]) == []


def test_missing_folder_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       load_calls: list[str]) -> None:
    missing = tmp_path / "no-model-here"
    monkeypatch.setenv(MODEL_ENV, str(missing))
    reason = Chronos2Strategy().availability()
    assert reason is not None and str(missing) in reason and "\n" not in reason
    with pytest.raises(Unavailable, match="could not be loaded"):
        Chronos2Strategy().forecast(weekly(30, 8), 4, [0.5])
    assert load_calls == []


def test_failure_is_cached_until_setting_changes(tmp_path: Path, tiny_model: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  load_calls: list[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(MODEL_ENV, str(empty))
    strategy = Chronos2Strategy()
    first = strategy.availability()
    assert first is not None and str(empty) in first
    assert strategy.availability() == first
    assert load_calls == [str(empty)]  # not retried
    monkeypatch.setenv(MODEL_ENV, str(tiny_model))
    assert strategy.availability() is None  # a new value is evaluated afresh


def test_hub_id_offline_gives_one_line_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, "genxsop-test/no-such-chronos")
    monkeypatch.setattr(chronos_strategy, "_hub_reachable", lambda: False)
    reason = Chronos2Strategy().availability()
    assert reason == ("Chronos-2 model 'genxsop-test/no-such-chronos' could not be loaded "
                      "(no weights offline: set GENXSOP_CHRONOS_MODEL to a local folder)")


def test_model_loaded_once(strategy: Chronos2Strategy, load_calls: list[str]) -> None:
    series = weekly(52, 9)
    strategy.forecast(series, 8, LEVELS)
    Chronos2Strategy().forecast_many([series, weekly(40, 10)], 8, LEVELS)
    assert strategy.availability() is None
    assert len(load_calls) == 1
