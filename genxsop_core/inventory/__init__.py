"""Inventory: the policy formulas (the public API `genxsop_core.inventory`), the policy table of a
whole plan, and what the Inventory screen reads.

`from genxsop_core import inventory; inventory.safety_stock(...)` keeps working: the formulas
live in `inventory.formulas` and are re-exported here.
"""
from genxsop_core.inventory.formulas import (
    ABC_LIMITS,
    XYZ_LIMITS,
    abc_xyz,
    coefficient_of_variation,
    days_of_supply,
    eoq,
    inventory_value,
    order_quantity,
    project_inventory,
    projection_flags,
    quantile_safety_stock,
    reorder_point,
    safety_stock,
    weeks_of_cover,
    z_value,
)

__all__ = [
    "ABC_LIMITS", "XYZ_LIMITS", "abc_xyz", "coefficient_of_variation", "days_of_supply", "eoq",
    "inventory_value", "order_quantity", "project_inventory", "projection_flags", "quantile_safety_stock",
    "reorder_point", "safety_stock", "weeks_of_cover", "z_value",
]
