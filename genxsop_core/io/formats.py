"""The file formats GenXSOP imports and exports: one table per kind of data.

Each kind names its columns, their types, which are required, and its natural key (the
columns an import upserts on). Templates, validation, import and export all read this one
description, so a column is added in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genxsop_core.domain.states import SupplyKind

ColumnType = Literal["text", "number", "date", "bool"]

MAX_FILE_NAME_LENGTH = 200  # the audit log keeps the file name of every import (audit_log.key)
# A text cell starting with one of these runs as a formula in a spreadsheet: exports prefix it
# with a quote (as Excel does when one types '=x), and imports drop that quote again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    minimum: float | None = None  # inclusive lower bound for numbers
    maximum: float | None = None  # inclusive upper bound for numbers
    choices: tuple[str, ...] | None = None  # allowed text values
    max_length: int | None = None  # longest text the database column holds (models.py String(n))
    default: object = None  # used when an optional column is absent or blank
    help: str = ""
    example: object = None


@dataclass(frozen=True)
class FileFormat:
    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    date_is_bucket: str | None = None  # date column that must be a planning-bucket start
    help: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_SKU = Column("sku", "text", max_length=64, help="Stock-keeping unit code, as in the product master",
              example="SKU-0001")

PRODUCTS = FileFormat(
    kind="products",
    title="Products",
    key=("sku",),
    help="The product master: one row per SKU with its place in the hierarchy and its economics.",
    columns=(
        Column("sku", "text", max_length=64, help="Unique stock-keeping unit code", example="SKU-0001"),
        Column("name", "text", max_length=200, help="Description planners see", example="Cold brew 250ml"),
        Column("category", "text", max_length=100, help="Top level of the product hierarchy", example="Beverages"),
        Column("family", "text", max_length=100, help="Middle level of the hierarchy", example="Coffee"),
        Column("uom", "text", required=False, default="EA", max_length=20, help="Unit of measure", example="EA"),
        Column("unit_cost", "number", minimum=0, help="Standard cost per unit", example=1.2),
        Column("unit_price", "number", minimum=0, help="Net selling price per unit", example=2.5),
        Column("lead_time_days", "number", required=False, minimum=0, default=0.0,
               help="Replenishment lead time in days", example=14),
        Column("lead_time_std_days", "number", required=False, minimum=0, default=0.0,
               help="Standard deviation of the lead time in days", example=2),
        Column("moq", "number", required=False, minimum=0, default=1.0,
               help="Minimum order / batch quantity", example=100),
        Column("order_cost", "number", required=False, minimum=0, default=0.0,
               help="Fixed cost per order or set-up", example=50),
        Column("holding_cost_rate", "number", required=False, minimum=0, maximum=5, default=0.25,
               help="Yearly holding cost as a share of unit cost", example=0.25),
        Column("service_level_target", "number", required=False, minimum=0.5, maximum=0.9999,
               default=0.95, help="Cycle service level aimed for, between 0.5 and 0.9999", example=0.95),
        Column("status", "text", required=False, default="active", max_length=20,
               choices=("active", "new", "phase_out", "inactive"), help="Lifecycle status", example="active"),
    ),
)

DEMAND = FileFormat(
    kind="demand",
    title="Demand actuals",
    key=("sku", "period"),
    date_is_bucket="period",
    help="What customers ordered and what was shipped, per SKU and planning bucket.",
    columns=(
        _SKU,
        Column("period", "date", help="Start date of the planning bucket (Monday for weeks)", example="2025-01-06"),
        Column("ordered_qty", "number", minimum=0, help="Quantity customers ordered", example=120),
        Column("shipped_qty", "number", required=False, minimum=0, default=None,
               help="Quantity shipped (defaults to ordered)", example=118),
        Column("shipped_on_time_in_full_qty", "number", required=False, minimum=0, default=None,
               help="Quantity shipped on time and in full (defaults to shipped)", example=110),
        Column("promo", "bool", required=False, default=False,
               help="1 if the SKU was on promotion in this bucket", example=0),
    ),
)

INVENTORY = FileFormat(
    kind="inventory",
    title="Inventory on hand",
    key=("sku", "snapshot_date"),
    help="On-hand stock per SKU at a date.",
    columns=(
        _SKU,
        Column("snapshot_date", "date", help="Date the stock was counted", example="2025-01-06"),
        Column("on_hand", "number", minimum=0, help="Units on hand", example=540),
    ),
)

SUPPLY = FileFormat(
    kind="supply",
    title="Supply plan",
    key=("sku", "period"),
    date_is_bucket="period",
    help="Planned and open receipts per SKU and bucket; imported into the working supply plan.",
    columns=(
        _SKU,
        Column("period", "date", help="Start date of the bucket the receipt arrives in", example="2025-01-06"),
        Column("planned_receipts", "number", minimum=0, help="Units arriving", example=500),
        Column("kind", "text", required=False, default=SupplyKind.MAKE, max_length=10, choices=tuple(SupplyKind),
               help="make (own production) or buy (purchase)", example=SupplyKind.MAKE),
        Column("firm", "bool", required=False, default=False,
               help="1 for an open (released) order, 0 for a planned one", example=1),
    ),
)

RESOURCES = FileFormat(
    kind="resources",
    title="Resources",
    key=("resource",),
    help="Lines and work centres with their capacity in hours per planning bucket.",
    columns=(
        Column("resource", "text", max_length=64, help="Unique resource code", example="FILL-1"),
        Column("name", "text", max_length=200, help="Description", example="Filling line 1"),
        Column("capacity_hours", "number", minimum=0, help="Available hours per planning bucket", example=80),
        Column("cost_per_hour", "number", required=False, minimum=0, default=0.0,
               help="Running cost per hour", example=120),
        Column("overtime_hours", "number", required=False, minimum=0, default=0.0,
               help="Overtime hours the line can add per planning bucket on top of capacity (0 = none)", example=24),
        Column("overtime_cost_per_hour", "number", required=False, minimum=0, default=None,
               help="Cost of an overtime hour; blank = 1.5 x cost_per_hour", example=210),
    ),
)

ROUTINGS = FileFormat(
    kind="routings",
    title="Routings",
    key=("sku", "resource"),
    help="Hours of each resource one unit of a SKU needs.",
    columns=(
        _SKU,
        Column("resource", "text", max_length=64, help="Resource code, as in the resources file", example="FILL-1"),
        Column("hours_per_unit", "number", minimum=0, help="Hours per unit", example=0.002),
    ),
)

FORMATS: dict[str, FileFormat] = {f.kind: f for f in (PRODUCTS, DEMAND, INVENTORY, SUPPLY, RESOURCES, ROUTINGS)}

# Import order that satisfies references (routings need products and resources).
IMPORT_ORDER: tuple[str, ...] = ("products", "resources", "routings", "demand", "inventory", "supply")


def get_format(kind: str) -> FileFormat:
    from genxsop_core.domain.exceptions import NotFound

    try:
        return FORMATS[kind]
    except KeyError:
        raise NotFound(f"unknown data kind {kind!r}; use one of: {', '.join(FORMATS)}") from None
