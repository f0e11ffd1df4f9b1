"""Values as a planner reads them, one rule per kind of field (fields.Kind), on screen, in the PDF and in Excel.

Units and money are whole with thousands separators (money with the currency symbol), rates are
percentages with one decimal (WAPE 17.9%, everywhere), ratios have two decimals, dates read
YYYY-MM-DD without a time, an empty value is an empty cell (never "None" or "nan"), and codes
(models, stages, exceptions, roles, KPIs, reason codes) read as words.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from genxsop_core.config import Currency, load_currency
from genxsop_core.presentation.fields import field, label, words

COMBINATION = "combo:"
EXCEPTION_LABELS = {"stockout": "Stockout", "below_safety": "Below safety stock", "excess": "Excess"}
_SPECIAL_MODELS = {"auto": "Auto (best per SKU)"}


def is_blank(value: Any) -> bool:
    """None, NaN, NaT and pd.NA: shown as an empty cell."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, list, dict, tuple)) else False
    except (TypeError, ValueError):
        return False


def plural(count: float, noun: str, many: str | None = None) -> str:
    """"1 SKU", "3 SKUs", "1,204 resource-periods": the count with the noun in the right number."""
    shown = f"{count:,.0f}" if float(count).is_integer() else f"{count:,}"
    return f"{shown} {noun if count == 1 else (many or noun + 's')}"


def model_label(code: str) -> str:
    """A forecasting model's name as the registry labels it; a blend reads
    "Combination: Croston (SBA) + Prophet + TSB"."""
    from genxsop_core.forecasting.registry import model_names, strategy_class

    text = str(code)
    if text.startswith(COMBINATION):
        return "Combination: " + " + ".join(model_label(part) for part in text[len(COMBINATION):].split("+"))
    if text in _SPECIAL_MODELS:
        return _SPECIAL_MODELS[text]
    if text in model_names():
        cls = strategy_class(text)
        return getattr(cls, "label", "") or words(text)
    return words(text)


def stage_label(code: str) -> str:
    """An S&OP cycle stage: data_gathering -> "Data gathering"."""
    from genxsop_core.cycle.workflow import STAGE_LABELS

    return STAGE_LABELS.get(str(code), words(str(code)))


def reason_label(code: str, descriptions: Mapping[str, str] | None = None) -> str:
    """A reason code with its description: "PROMO · Promotion planned"; the code alone if it has none."""
    described = (descriptions or {}).get(str(code))
    return f"{code} · {described}" if described else str(code)


def code_label(name: str, value: Any, descriptions: Mapping[str, str] | None = None) -> str:
    """A code in the field `name` as words: models, stages, exceptions, roles, KPIs, reason codes."""
    if is_blank(value):
        return ""
    text = str(value)
    if name in ("model", "model_a", "model_b"):
        return model_label(text)
    if name == "stage":
        return stage_label(text)
    if name == "exception":
        return EXCEPTION_LABELS.get(text, words(text))
    if name == "reason_code":
        return reason_label(text, descriptions)
    if name == "role":
        from genxsop_core.domain.permissions import ROLE_LABELS

        return ROLE_LABELS.get(text, words(text))
    if name == "kpi":
        from genxsop_core.kpi.formulas import KPIS

        return KPIS[text].label if text in KPIS else words(text)
    return words(text)


def format_value(value: Any, kind: str, currency: Currency | None = None) -> str:
    """One value as text by its kind; an empty value is ""."""
    if is_blank(value):
        return ""
    if kind in ("date", "datetime", "month"):
        return _when(value, kind)
    if kind == "flag":
        return "Yes" if bool(value) else "No"
    if kind in ("text", "code"):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    symbol = (currency or load_currency()).symbol if kind in ("money", "price") else ""
    sign = "-" if number < 0 and kind in ("money", "price") else ""
    shown = {
        "money": f"{symbol}{abs(number):,.0f}", "price": f"{symbol}{abs(number):,.2f}",
        "percent": f"{number:.1%}", "ratio": f"{number:,.2f}", "decimal": f"{number:,.1f}",
        "weeks": f"{number:,.1f}", "id": f"{number:.0f}",
    }.get(kind, f"{number:,.0f}")  # units, count, days, hours
    return sign + shown


def _when(value: Any, kind: str) -> str:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    if kind == "month":
        return f"{stamp:%b %Y}"
    if kind == "datetime" and stamp != stamp.normalize():
        return f"{stamp:%Y-%m-%d %H:%M}"
    return f"{stamp:%Y-%m-%d}"


def show(name: str, value: Any, currency: Currency | None = None,
         descriptions: Mapping[str, str] | None = None) -> str:
    """A value of the field `name` as the planner reads it (its kind from the catalogue)."""
    kind = field(name).kind
    if kind == "code":
        return code_label(name, value, descriptions)
    if kind == "text" and isinstance(value, (date, datetime, pd.Timestamp)):
        return _when(value, "date")
    return format_value(value, kind, currency)


def readable(frame: pd.DataFrame, currency: Currency | None = None,
             descriptions: Mapping[str, str] | None = None, currency_in_headers: bool = False) -> pd.DataFrame:
    """The whole frame as text for a printed table (the PDF): labelled headers, every cell formatted."""
    money = currency or load_currency()
    shown = pd.DataFrame({label(c, money.code if currency_in_headers else None):
                          [show(str(c), v, money, descriptions) for v in frame[c]] for c in frame.columns})
    return shown.reset_index(drop=True)


def labelled_codes(frame: pd.DataFrame, descriptions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame with its code columns (models, stages, exceptions, reason codes...) as words; numbers and
    dates stay values, so a table can still sort them."""
    out = frame.copy()
    for column in out.columns:
        if field(str(column)).kind == "code":
            out[column] = out[column].map(lambda v, c=str(column): code_label(c, v, descriptions) or None)
    return out


EXCEL_FORMATS: dict[str, str] = {
    "units": "#,##0", "count": "#,##0", "days": "#,##0", "hours": "#,##0", "percent": "0.0%", "ratio": "0.00",
    "decimal": "#,##0.0", "weeks": "#,##0.0", "id": "0", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm",
    "month": "mmm yyyy",
}


def excel_format(kind: str, currency: Currency | None = None) -> str | None:
    """The Excel number format of a kind ("#,##0", "0.0%", '"€"#,##0'), None for text."""
    if kind in ("money", "price"):
        symbol = (currency or load_currency()).symbol.replace('"', "")
        return f'"{symbol}"#,##0' + (".00" if kind == "price" else "")
    return EXCEL_FORMATS.get(kind)
