"""Strategies by name, created on demand from the registry, and which of them can run here."""
from __future__ import annotations

from genxsop_core.forecasting import registry
from genxsop_core.forecasting.base import Strategy


def get_strategy(name: str, options: dict | None = None) -> Strategy:
    """A fresh strategy for a model name, configured by a run's options; unknown names are refused."""
    return registry.strategy_class(name).from_options(options or {})


def unavailable_models() -> dict[str, str]:
    """Models that cannot run here, each with the one-line reason."""
    reasons = {cls.name: cls.from_options({}).availability() for cls in registry.strategy_classes()}
    return {name: reason for name, reason in reasons.items() if reason}


def available_models() -> list[str]:
    missing = unavailable_models()
    return [name for name in registry.model_names() if name not in missing]


MODEL_NAMES: tuple[str, ...] = registry.model_names()
"""The built-in models (snapshot at import); `registry.model_names()` also sees models registered later."""
