"""Demand review: consensus plan versions, overrides and their split to SKUs, accuracy by lag, reason codes."""
