"""The product hierarchy: total > category > family > SKU, and a node of it.

A node is (level, key): ("total", ""), ("category", "Beverages"), ("family", "Juice"),
("sku", "JU-001"). The level names are the columns of the product master (Product.category,
.family, .sku) and the strings stored with KPI targets and overrides, so `Level` is a StrEnum:
a member equals its string. Pure: no database, no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput, NotFound


class Level(StrEnum):
    """The levels of the product hierarchy, top down."""

    TOTAL = "total"
    CATEGORY = "category"
    FAMILY = "family"
    SKU = "sku"


LEVELS: tuple[Level, ...] = tuple(Level)  # top down: total, category, family, sku
GROUP_LEVELS: tuple[Level, ...] = (Level.CATEGORY, Level.FAMILY)  # the levels that group SKUs
BOTTOM_UP: tuple[Level, ...] = (Level.SKU, Level.FAMILY, Level.CATEGORY)  # every level but the total, SKU first
LEVEL_LABELS: dict[str, str] = {Level.TOTAL: "Total", Level.CATEGORY: "Category", Level.FAMILY: "Family",
                                Level.SKU: "SKU"}


def check_level(level: str) -> Level:
    """The level of that name; any other name is refused with the choices."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return Level(level)


def parent_levels(level: str) -> tuple[Level, ...]:
    """The levels above a node's own, nearest first, without the total: a SKU's are family, category."""
    return tuple(reversed(LEVELS[1:LEVELS.index(check_level(level))]))


def child_level(level: str) -> Level | None:
    """The level one below (a family's is SKU); None below a SKU."""
    index = LEVELS.index(check_level(level)) + 1
    return LEVELS[index] if index < len(LEVELS) else None


def group_columns(level: str) -> list[str]:
    """The product-master columns that group rows to a level: none for the total."""
    return [] if check_level(level) is Level.TOTAL else [str(level)]


@dataclass(frozen=True)
class Node:
    """One node of the hierarchy; the total by default."""

    level: str = Level.TOTAL
    key: str = ""

    def skus(self, hierarchy: pd.DataFrame) -> list[str]:
        """The node's SKUs in a product frame with columns sku, category, family (sorted)."""
        level = check_level(self.level)
        chosen = hierarchy if level is Level.TOTAL else hierarchy[hierarchy[level] == self.key]
        if chosen.empty:
            raise self.nothing_under()
        return sorted(chosen.sku)

    def nothing_under(self) -> NotFound:
        return NotFound(f"no products under {self.level} {self.key!r}")

    def label(self) -> str:
        return "All products" if self.level == Level.TOTAL else f"{LEVEL_LABELS[self.level]} {self.key}"
