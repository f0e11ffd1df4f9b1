"""Forecasting strategies, one module per family of methods.

Importing the package registers every model (forecasting.registry); the order of these
imports is the order pages and error messages list the models in.
"""
from genxsop_core.forecasting.strategies import simple, smoothing, intermittent, prophet, chronos  # noqa: F401, I001
from genxsop_core.forecasting.strategies import global_lightgbm  # noqa: F401, I001
from genxsop_core.forecasting.strategies import statsforecast  # noqa: F401, I001
