"""The catalogue of fields: every column name a planner meets, in the planner's words, with its kind.

A kind says how a value is shown (numbers.format_value) and stored in Excel (numbers.excel_format).
A name not in the catalogue still reads as words (`words`), but tests/unit/test_presentation.py lists
the columns of the frames the screens show and fails on any the catalogue does not know.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["units", "money", "price", "percent", "ratio", "decimal", "count", "days", "weeks", "hours", "date",
               "datetime", "month", "text", "code", "flag", "id"]
NUMBER_KINDS: frozenset[str] = frozenset({"units", "money", "price", "percent", "ratio", "decimal", "count",
                                          "days", "weeks", "hours", "id"})
_ACRONYMS = {"sku": "SKU", "skus": "SKUs", "id": "ID", "abc": "ABC", "xyz": "XYZ", "eoq": "EOQ", "moq": "MOQ",
             "wape": "WAPE", "mape": "MAPE", "mase": "MASE", "fva": "FVA", "otif": "OTIF", "uom": "Unit of measure",
             "sop": "S&OP", "cogs": "COGS", "pdf": "PDF", "xlsx": "XLSX", "csv": "CSV", "sha256": "SHA-256",
             "p10": "P10", "p50": "P50", "p90": "P90", "ss": "Safety stock"}


@dataclass(frozen=True)
class Field:
    """How one field reads: its label, its kind, and a sentence of help for the column header."""

    label: str
    kind: Kind = "text"
    help: str | None = None


def _f(label: str, kind: Kind = "text", help: str | None = None) -> Field:
    return Field(label, kind, help)


FIELDS: dict[str, Field] = {
    # the product and its place in the hierarchy
    "sku": _f("SKU"), "name": _f("Name"), "category": _f("Category"), "family": _f("Family"), "item": _f("Item"),
    "level": _f("Level"), "key": _f("Item"), "uom": _f("Unit of measure"), "group": _f("Group"),
    "child": _f("Part"), "resource": _f("Resource"), "label": _f("Name"),
    "unit_cost": _f("Unit cost", "price"), "unit_price": _f("Unit price", "price"),
    "lead_time_days": _f("Lead time (days)", "days"), "lead_time_std_days": _f("Lead time sd (days)", "decimal"),
    "moq": _f("Minimum order quantity", "units"), "order_cost": _f("Order cost", "price"),
    "holding_cost_rate": _f("Holding cost rate", "percent"),
    "service_level_target": _f("Service level target", "percent"),
    # periods and times
    "period": _f("Period", "date"), "month": _f("Month", "month"), "snapshot_date": _f("Count date", "date"),
    "due": _f("Due", "date"), "stage_due": _f("Stage due", "date"), "first_stockout": _f("First stockout", "date"),
    "when": _f("When", "datetime"), "at": _f("When", "datetime"), "started": _f("Started", "datetime"),
    "created_at": _f("Created", "datetime"), "updated_at": _f("Last changed", "datetime"),
    "decided_at": _f("Decided", "datetime"), "signed_at": _f("Signed", "datetime"),
    "finished_at": _f("Finished", "datetime"), "closed_at": _f("Closed", "datetime"),
    "frozen_by": _f("Frozen by"), "approved_at": _f("Approved", "datetime"),
    "last_login": _f("Last sign-in", "datetime"), "locked_until": _f("Locked until", "datetime"),
    "from": _f("From", "date"), "until": _f("Until", "date"),
    "lag": _f("Lag (buckets)", "count"), "periods": _f("Periods", "count"),
    # demand
    "actual": _f("Actual", "units"), "forecast": _f("Forecast", "units"), "statistical": _f("Statistical", "units"),
    "override": _f("Override", "units", "The new consensus; clear the cell to remove"),
    "consensus": _f("Consensus", "units"), "last_cycle": _f("Last cycle's plan", "units"),
    "new_consensus": _f("New consensus", "units"), "new_total": _f("New total", "units"),
    "share": _f("Share", "percent"), "weight": _f("Weight", "percent"), "value": _f("Value", "decimal"),
    "p10": _f("P10", "units"), "p50": _f("P50", "units"), "p90": _f("P90", "units"),
    "ordered_qty": _f("Ordered", "units"), "shipped_qty": _f("Shipped", "units"),
    "shipped_on_time_in_full_qty": _f("Shipped on time in full", "units"), "promo": _f("Promotion", "flag"),
    "ordered_units": _f("Ordered", "units"), "shipped_units": _f("Shipped", "units"),
    "reason_code": _f("Reason", "code"), "reason": _f("Reason"), "comment": _f("Comment"),
    "author": _f("Last changed by"), "overridden": _f("Overridden", "flag"),
    # accuracy
    "wape": _f("WAPE", "percent", "Weighted absolute percentage error: sum of |error| / sum of actuals"),
    "mape": _f("MAPE", "percent", "Mean absolute percentage error over periods with actuals"),
    "bias": _f("Bias", "percent", "Sum of errors / sum of actuals: positive means over-forecast"),
    "mase": _f("MASE", "ratio", "Mean absolute scaled error: below 1 beats the seasonal naive forecast"),
    "tracking_signal": _f("Tracking signal", "ratio", "Cumulative error / mean absolute error; beyond ±4 is biased"),
    "flag": _f("Flag"), "step": _f("Step"),
    "fva": _f("Value added", "percent", "WAPE points gained on the step before"),
    "error": _f("Error", "units"), "abs_error": _f("Absolute error", "units"), "ape": _f("APE", "percent"),
    # forecasting
    "model": _f("Model", "code"), "model_a": _f("Model A", "code"), "model_b": _f("Model B", "code"),
    "total_a": _f("Total A", "units"), "total_b": _f("Total B", "units"),
    "wape_a": _f("WAPE A", "percent"), "wape_b": _f("WAPE B", "percent"),
    "change": _f("Change", "units"), "change_pct": _f("Change %", "percent"),
    "mae": _f("MAE", "units", "Mean absolute error per period"), "rmse": _f("RMSE", "units", "Root mean squared error"),
    "smape": _f("sMAPE", "percent", "Symmetric mean absolute percentage error"),
    "skus_scored": _f("SKUs scored", "count"), "skus_won": _f("SKUs won", "count"),
    "in_chosen_blend": _f("In chosen blend", "count", "SKUs whose chosen combination includes this model"),
    "why_it_won": _f("Why it won"), "chosen": _f("Chosen", "flag"), "window": _f("Backtest window", "count"),
    "run": _f("Run", "id"), "run_id": _f("Run", "id"), "scope": _f("Scope"), "horizon": _f("Horizon", "count"),
    "skus": _f("SKUs", "count"), "seconds": _f("Seconds", "decimal"), "duration": _f("Duration"),
    "progress": _f("Progress"),
    # supply and capacity
    "planned_receipts": _f("Planned receipts", "units"), "kind": _f("Make or buy", "code"),
    "firm": _f("Firm", "flag"), "units": _f("Units", "units"), "added": _f("Added", "units"),
    "proposed": _f("Proposed receipts", "units"), "hours_per_unit": _f("Hours per unit", "decimal"),
    "load_hours": _f("Load (hours)", "hours"), "capacity_hours": _f("Capacity (hours)", "hours"),
    "utilization": _f("Utilization", "percent"), "overloaded": _f("Overloaded", "flag"),
    "overload_hours": _f("Overload (hours)", "hours"), "spare_hours": _f("Spare (hours)", "hours"),
    "cost_per_hour": _f("Cost per hour", "price"),
    # the balanced plan (supply.balance)
    "balanced": _f("Balanced receipts", "units"),
    "overtime_hours": _f("Overtime (hours)", "hours"),
    "hour_value": _f("Value of an hour", "price", "What one more hour of capacity there adds to the balanced "
                     "plan's margin after costs; 0 where the resource has hours to spare"),
    "hour_value_total": _f("Value of an hour in every period", "price",
                           "What one more hour of capacity in every period adds to the balanced plan"),
    "hour_value_peak": _f("Best single hour", "price"),
    "binding_periods": _f("Periods short of hours", "count"),
    "constraint": _f("What limits it"), "detail": _f("Where"),
    "chance_of_overload": _f("Chance of overload", "percent"),
    "overload_probability": _f("Chance of overload", "percent",
                               "Probability that the load demand needs exceeds capacity, from the forecast quantiles"),
    "probability": _f("Chance", "percent"),
    # inventory
    "on_hand": _f("On hand", "units"), "abc": _f("ABC"), "xyz": _f("XYZ"), "class": _f("Class"),
    "demand_per_period": _f("Demand per period", "units"), "error_std": _f("Demand sd per period", "units"),
    "error_std_source": _f("Demand sd from"), "lead_time_periods": _f("Lead time (periods)", "decimal"),
    "service_level": _f("Service level", "percent"),
    "ss_demand": _f("Safety stock: demand variability", "units"),
    "ss_lead_time": _f("Safety stock: demand and lead-time variability", "units"),
    "ss_quantile": _f("Safety stock: quantiles of lead-time demand", "units"),
    "safety_stock": _f("Safety stock", "units"), "reorder_point": _f("Reorder point", "units"),
    "eoq": _f("Economic order quantity", "units"), "order_quantity": _f("Order quantity", "units"),
    "days_of_supply": _f("Days of supply", "days"), "weeks_of_cover": _f("Weeks of cover", "weeks"),
    "inventory_value": _f("Inventory value", "money"), "annual_value": _f("Annual consumption value", "money"),
    "cv": _f("Coefficient of variation", "ratio"),
    "stockout_periods": _f("Stockout periods", "count"), "below_safety_periods": _f("Periods below safety", "count"),
    "excess_periods": _f("Periods in excess", "count"), "shortage_units": _f("Units short", "units"),
    "below_safety_units": _f("Units below safety stock", "units"), "excess_units": _f("Units in excess", "units"),
    "exception": _f("Exception", "code"), "money_at_risk": _f("Money at risk", "money"),
    "below_safety": _f("Below safety stock", "flag"), "stockout": _f("Stockout", "flag"),
    "excess": _f("Excess", "flag"),
    # money and KPIs
    "revenue": _f("Revenue", "money"), "cogs": _f("Cost of goods sold", "money"),
    "gross_margin": _f("Gross margin", "percent"), "margin_pct": _f("Gross margin %", "percent"),
    "fill_rate": _f("Fill rate", "percent"), "otif": _f("OTIF", "percent"),
    "inventory_turns": _f("Inventory turns", "ratio"), "capacity_utilization": _f("Capacity utilisation", "percent"),
    "revenue_vs_plan": _f("Revenue vs plan", "percent"), "kpi": _f("KPI", "code"),
    "latest": _f("Latest", "decimal"), "previous": _f("Month before", "decimal"), "trend": _f("Change", "decimal"),
    "target": _f("Target", "decimal"), "green": _f("Green from", "decimal"), "amber": _f("Amber from", "decimal"),
    "target_level": _f("Target set at", "code"), "higher_is_better": _f("Higher is better", "flag"),
    "unit": _f("Unit", "code"), "complete": _f("Complete month", "flag"),
    # scenarios
    "scenario": _f("Scenario"), "scenario_id": _f("Scenario", "id"), "note": _f("Note"),
    "margin": _f("Gross margin", "money"), "lost_units": _f("Lost sales, units", "units"),
    "inventory_value_avg": _f("Average inventory value", "money"),
    "inventory_value_end": _f("Inventory value at the end", "money"),
    "safety_stock_value": _f("Safety stock value", "money"), "utilization_avg": _f("Average utilization", "percent"),
    "utilization_peak": _f("Peak utilization", "percent"),
    "stockout_skus": _f("SKUs stocking out", "count"), "overloads": _f("Overloaded resource-periods", "count"),
    "rebalanced": _f("Rebalanced", "flag", "Pinned with 'Rebalance the plan' on: the figures of its plan balanced, "
                     "not cut to capacity"),
    # the cycle, people and records
    "id": _f("No.", "id"), "version": _f("Version"), "version_id": _f("Version", "id"),
    "status": _f("Status", "code"), "stage": _f("Stage", "code"), "cycle": _f("Cycle"), "text": _f("Text"),
    "decided_by": _f("Decided by"), "owner": _f("Owner"), "created_by": _f("By"), "by": _f("By"),
    "role": _f("Role", "code"), "user": _f("User"), "username": _f("User"), "email": _f("Email"), "roles": _f("Roles"),
    "signed_by": _f("Signed by"),
    "action": _f("Action", "code"), "entity": _f("Record", "code"), "before": _f("Before"), "after": _f("After"),
    "description": _f("Description"), "active": _f("Active", "flag"), "code": _f("Code"),
    "file": _f("File"), "file_name": _f("File"), "row": _f("Row", "count"), "column": _f("Column"),
    "problem": _f("Problem"), "message": _f("Message"), "size": _f("Size (bytes)", "count"),
    "sha256": _f("SHA-256"), "required": _f("Required"), "type": _f("Type"), "allowed": _f("Allowed values"),
    "row_version": _f("Row version", "id", "Kept for saving: tells a change from a concurrent one"),
    "token": _f("Row token", "text", "Kept for saving: tells a change from a concurrent one"),
    "example": _f("Example"), "rows": _f("Rows", "count"), "area": _f("Area"), "count": _f("Count", "count"),
}


def words(name: str) -> str:
    """A snake_case name as words, for a field the catalogue lacks: `days_late` -> "Days late"."""
    parts = [p for p in str(name).replace("-", "_").split("_") if p]
    if not parts:
        return str(name)
    shown = [_ACRONYMS.get(p.lower(), p) for p in parts]
    first = shown[0]
    return " ".join([first[:1].upper() + first[1:], *shown[1:]])


def field(name: str) -> Field:
    """The catalogue's entry for `name`, or its words as a text field."""
    return FIELDS.get(str(name)) or Field(words(str(name)))


def label(name: str, currency_code: str | None = None) -> str:
    """The column header of `name`; money headers name the currency when it is given: "Money at risk (EUR)"."""
    found = field(name)
    return f"{found.label} ({currency_code})" if currency_code and found.kind in ("money", "price") else found.label
