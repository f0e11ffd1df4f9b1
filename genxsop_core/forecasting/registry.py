"""The one list of forecasting models: every strategy class marked `@register` is a model.

A strategy declares what the rest of the code needs to know on its class (base.Strategy):
`name` (the planner's word for it, stored with every run: never rename one), `heavy` (auto
runs it only when asked or for few SKUs), `native_quantiles`, `uses_promo`, `optional` (it
needs a package or weights beyond the core install; `availability()` says whether they are
here), `label` and `description` for pages. The factory, auto's candidates, the Forecasting
page and the health check all read this registry; none of them lists models itself.

Models are listed in the order they were registered: the order of the imports in
`forecasting.strategies`, then of the classes in each module.
"""
from __future__ import annotations

from typing import TypeVar

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting.base import Strategy

_CLASSES: dict[str, type[Strategy]] = {}  # name -> strategy class, in registration order
StrategyClass = TypeVar("StrategyClass", bound=type[Strategy])


def register(cls: StrategyClass) -> StrategyClass:
    """Class decorator: make a strategy a model under its `name`."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a name to be registered as a model")
    known = _CLASSES.get(cls.name)
    if known is not None and known is not cls:
        raise ValueError(f"model name {cls.name!r} is taken by {known.__name__}")
    _CLASSES[cls.name] = cls
    return cls


def _registered() -> dict[str, type[Strategy]]:
    """The registry, after the package's own strategies have registered themselves."""
    import genxsop_core.forecasting.strategies  # noqa: F401 - importing it registers every built-in model

    return _CLASSES


def strategy_classes(heavy: bool | None = None) -> tuple[type[Strategy], ...]:
    """Every model's class, or only the heavy (True) or light (False) ones."""
    return tuple(cls for cls in _registered().values() if heavy is None or cls.heavy == heavy)


def model_names(heavy: bool | None = None) -> tuple[str, ...]:
    """Every model's name, or only the heavy (True) or light (False) ones."""
    return tuple(cls.name for cls in strategy_classes(heavy))


def strategy_class(name: str) -> type[Strategy]:
    """The class registered under `name`; an unknown name is refused with the choices."""
    try:
        return _registered()[name]
    except KeyError:
        raise InvalidInput(f"unknown model {name!r}; choose auto or one of: {', '.join(model_names())}") from None
