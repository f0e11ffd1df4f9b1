"""How figures read on screen: one formatter per kind of figure, shared by tiles and tables."""
from __future__ import annotations

import math
import re

import pandas as pd

from genxsop_core.presentation.fields import field
from genxsop_core.presentation.numbers import format_value

PERCENT_FIGURES = {"margin_pct", "fill_rate", "utilization_avg", "utilization_peak"}
COUNT_FIGURES = {"stockout_skus", "overloads"}


def figure(key: str, value: float) -> str:
    """A scenario or KPI figure as a planner reads it: 98.7%, €1,234,567, 12 (its kind from the catalogue)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return format_value(value, field(key).kind)


def change(key: str, new: float, old: float) -> str:
    """The difference from the baseline: points for percentages, else the amount and the share."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (new, old)):
        return ""
    if key in PERCENT_FIGURES:
        return f"{(new - old) * 100:+.1f} pts"
    if key in COUNT_FIGURES:
        return f"{int(new - old):+,}"
    share = f" ({new / old - 1:+.1%})" if old else ""
    return f"{new - old:+,.0f}{share}"


def figure_table(table: pd.DataFrame) -> pd.DataFrame:
    """A table of figures (one per row key, one column per scenario) as text, each row formatted by its key."""
    return pd.DataFrame({column: [figure(key, value) for key, value in table[column].items()] for column in table},
                        index=table.index)


STATUS_DOTS = {"green": ":green[●]", "amber": ":orange[●]", "red": ":red[●]", "none": ":gray[○]"}  # markdown
STATUS_WORDS = {"green": "🟢 Green", "amber": "🟠 Amber", "red": "🔴 Red", "none": "⚪ No target"}  # table cells


def kpi_value(value: float, unit: str) -> str:
    """A KPI in its unit: 97.3%, 8.4, 35 days, 1,234,567."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    shown = format_value(value, unit if unit in ("percent", "ratio", "days", "money") else "units")
    return f"{shown} days" if unit == "days" else shown


def kpi_trend(value: float, unit: str) -> str | None:
    """The change from the month before: points for percentages."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return {"percent": f"{value * 100:+.1f} pts", "ratio": f"{value:+.2f}", "days": f"{value:+.0f} days"}.get(
        unit, f"{value:+,.0f}")


_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$])")  # emphasis, code, links and images, HTML, headings, tables, maths
_LINK_SCHEME = re.compile(r"(?i)\b(https?|ftp|mailto|javascript|vbscript|data|file)(:)")
_WWW = re.compile(r"(?i)\b(www)(\.)")
_BLOCK_START = re.compile(r"^(\d{1,9}(?=[.)](?: |$)))?([-+.)])")  # a list item, a numbered one, a rule


def plain(text: object) -> str:
    """User text (names, comments, notes, decisions) for st.markdown, captions, alerts and widget labels:
    shown as typed, never as markup.

    Markdown would make `[x](javascript:...)` a link, `![x](url)` an image, `**x**` bold, `:red[x]`
    colour, `$x$` a formula; a backslash before each such character (a CommonMark escape) shows it
    as is. Bare `https:` and `www.` lose their automatic link, and line breaks, tabs and runs of
    spaces become one space, so the text cannot open a heading, list, quote, code block or table.
    """
    line = " ".join(str(text).split())
    line = _MARKUP.sub(r"\\\1", line)
    line = _WWW.sub(r"\1\\\2", _LINK_SCHEME.sub(r"\1\\\2", line))
    return _BLOCK_START.sub(r"\1\\\2", line)
