"""Forecasting strategies, one module per family of methods."""
