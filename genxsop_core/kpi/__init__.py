"""The S&OP scorecard: KPI formulas, targets, and what the KPI page and dashboard read."""
