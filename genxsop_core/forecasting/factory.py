"""The registry of strategies: names in the planner's vocabulary, created on demand."""
from __future__ import annotations

from collections.abc import Callable

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting.base import Strategy
from genxsop_core.forecasting.strategies.chronos import Chronos2Strategy
from genxsop_core.forecasting.strategies.intermittent import TSB, CrostonSBA
from genxsop_core.forecasting.strategies.prophet import ProphetStrategy
from genxsop_core.forecasting.strategies.simple import MovingAverage, Naive, SeasonalNaive
from genxsop_core.forecasting.strategies.smoothing import ETS, LogETS, Theta

_MAKERS: dict[str, Callable[[dict], Strategy]] = {
    "naive": lambda o: Naive(),
    "seasonal_naive": lambda o: SeasonalNaive(),
    "moving_average": lambda o: MovingAverage(o.get("moving_average_window")),
    "ets": lambda o: ETS(),
    "ets_log": lambda o: LogETS(),
    "theta": lambda o: Theta(),
    "croston_sba": lambda o: CrostonSBA(),
    "tsb": lambda o: TSB(),
    "prophet": lambda o: ProphetStrategy(),
    "chronos2": lambda o: Chronos2Strategy(),
}

MODEL_NAMES: tuple[str, ...] = tuple(_MAKERS)


def get_strategy(name: str, options: dict | None = None) -> Strategy:
    try:
        return _MAKERS[name](options or {})
    except KeyError:
        raise InvalidInput(f"unknown model {name!r}; choose auto or one of: {', '.join(MODEL_NAMES)}") from None


def unavailable_models() -> dict[str, str]:
    """Models that cannot run here, each with the one-line reason."""
    reasons = {name: get_strategy(name).availability() for name in MODEL_NAMES}
    return {name: reason for name, reason in reasons.items() if reason}


def available_models() -> list[str]:
    missing = unavailable_models()
    return [name for name in MODEL_NAMES if name not in missing]
