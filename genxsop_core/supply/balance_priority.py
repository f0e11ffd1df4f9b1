"""SKU priorities for the balance as a supply planner sets them: per category, family or SKU.

A planner says "when hours run short, serve Juice first, and JU-001 above all": a priority for a
family (or a category) and a few SKUs set apart, the most specific setting winning (a SKU's own
over its family's, a family's over its category's). `sku_priorities` turns such settings into
the per-SKU weights `BalanceOptions.priority` takes (a unit not served costs its margin plus
margin x priority; every SKU not set keeps DEFAULT_PRIORITY); `parse_priority` reads the CLI's
`--priority SKU=W` (or `family:NAME=W`, `category:NAME=W`); `priority_sentence` says which
weights a balance used, naming whole categories and families where it can. Pure.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.hierarchy import LEVEL_LABELS, Level
from genxsop_core.presentation.numbers import plural

DEFAULT_PRIORITY = 1.0
"""The weight of a SKU no setting names (BalanceOptions.priority's default)."""
TARGET_LEVELS: tuple[Level, ...] = (Level.CATEGORY, Level.FAMILY, Level.SKU)  # least specific first
NAMED_SKUS = 5
"""A sentence names this many SKUs of one weight, then counts the rest."""


def target(level: str, key: str) -> str:
    """What a setting applies to, as stored and typed: "family:Juice", "sku:JU-001"."""
    return f"{level}:{key}"


def split_target(text: str) -> tuple[Level, str]:
    """(level, key) of a target; a bare name is a SKU ("JU-001" is "sku:JU-001")."""
    level, sep, key = str(text).partition(":")
    if sep and level in TARGET_LEVELS:
        return Level(level), key
    return Level.SKU, str(text)


def target_label(text: str) -> str:
    """A target in words: "Family Juice", "SKU JU-001"."""
    level, key = split_target(text)
    return f"{LEVEL_LABELS[level]} {key}"


def targets(products: pd.DataFrame) -> list[str]:
    """Every category, family and SKU of a product frame (columns sku, category, family) a setting
    can name: categories first, then families, then SKUs, each sorted."""
    return [target(level, key) for level in TARGET_LEVELS for key in sorted(products[str(level)].dropna().unique())]


def sku_priorities(products: pd.DataFrame, settings: Iterable[tuple[str, float]]) -> dict[str, float]:
    """SKU -> priority from (target, weight) settings, the most specific winning; SKUs left at
    DEFAULT_PRIORITY are left out. InvalidInput for a target not in `products`, a weight not a
    number >= 0, or a target set twice to different weights."""
    chosen: dict[str, float] = {}
    problems: list[str] = []
    for text, weight in settings:
        name = target(*split_target(text))
        value = float(weight) if weight is not None else math.nan
        if not (math.isfinite(value) and value >= 0):
            problems.append(f"the priority of {target_label(name)} must be a number >= 0, not {weight!r}")
        elif name in chosen and chosen[name] != value:
            problems.append(f"{target_label(name)} is given two priorities ({chosen[name]:g} and {value:g})")
        chosen[name] = value
    unknown = [target_label(name) for name in chosen if name not in set(targets(products))]
    if unknown:
        problems.append(f"no product in the plan belongs to {', '.join(unknown[:5])}")
    if problems:
        raise InvalidInput("; ".join(problems))
    weights = pd.Series(DEFAULT_PRIORITY, index=products.sku.astype(str))
    for level in TARGET_LEVELS:
        column = products[str(level)].astype(str).to_numpy()
        for name, value in chosen.items():
            setting_level, key = split_target(name)
            if setting_level is level:
                weights[column == key] = value
    return {str(sku): float(w) for sku, w in weights.items() if w != DEFAULT_PRIORITY}


def parse_priority(text: str) -> tuple[str, float]:
    """`SKU=WEIGHT` (or `family:NAME=WEIGHT`, `category:NAME=WEIGHT`) as (target, weight)."""
    name, sep, weight = str(text).rpartition("=")
    try:
        value = float(weight)
    except ValueError:
        value = math.nan
    if not sep or not name.strip() or not (math.isfinite(value) and value >= 0):
        raise InvalidInput(f"--priority takes SKU=WEIGHT (or family:NAME=WEIGHT), a weight >= 0, not {text!r}")
    return target(*split_target(name.strip())), value


def priority_sentence(priority: Mapping[str, float], products: pd.DataFrame) -> str:
    """Which priorities a balance used, highest first: whole categories and families (of more than
    one SKU) by name, other SKUs by code (NAMED_SKUS of them, then a count), e.g. "priority 3: SKU
    JU-001; priority 2: family Juice (8 SKUs); every other SKU 1"."""
    set_apart = {sku: w for sku, w in priority.items() if w != DEFAULT_PRIORITY}
    if not set_apart:
        return f"every SKU priority {DEFAULT_PRIORITY:g}"
    parts = []
    for weight in sorted(set(set_apart.values()), reverse=True):
        left = products[products.sku.isin([sku for sku, w in set_apart.items() if w == weight])]
        names = []
        for level in (Level.CATEGORY, Level.FAMILY):
            column = str(level)
            whole = [key for key, group in products.groupby(column, sort=True).sku
                     if len(group) > 1 and set(group) <= set(left.sku)]  # a group of one reads as its SKU
            names += [f"{LEVEL_LABELS[level].lower()} {key} ({plural(int((products[column] == key).sum()), 'SKU')})"
                      for key in whole]
            left = left[~left[column].isin(whole)]
        skus = sorted(left.sku.astype(str))
        names += [f"SKU {sku}" for sku in skus[:NAMED_SKUS]]
        if len(skus) > NAMED_SKUS:
            names.append(plural(len(skus) - NAMED_SKUS, "more SKU"))
        parts.append(f"priority {weight:g}: {', '.join(names)}")
    return "; ".join(parts) + f"; every other SKU {DEFAULT_PRIORITY:g}"
