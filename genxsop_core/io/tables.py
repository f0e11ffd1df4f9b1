"""How each file kind maps onto its table: field names, code -> id lookups, natural key."""
from __future__ import annotations

from dataclasses import dataclass

from genxsop_core.domain.models import (
    Base,
    DemandActual,
    InventorySnapshot,
    Product,
    Resource,
    Routing,
    SupplyPlan,
)


@dataclass(frozen=True)
class TableBinding:
    kind: str
    model: type[Base]
    key: tuple[str, ...]  # model fields forming the natural key (within the scope)
    fields: dict[str, str]  # file column -> model field, for plain copied values
    lookups: dict[str, str]  # file column -> model id field resolved through a code map


_PRODUCT_FIELDS = [c.key for c in (Product.sku, Product.name, Product.category, Product.family, Product.uom,
                                   Product.unit_cost, Product.unit_price, Product.lead_time_days,
                                   Product.lead_time_std_days, Product.moq, Product.order_cost,
                                   Product.holding_cost_rate, Product.service_level_target, Product.status)]


BINDINGS: dict[str, TableBinding] = {
    "products": TableBinding("products", Product, ("sku",), {f: f for f in _PRODUCT_FIELDS}, {}),
    "resources": TableBinding("resources", Resource, ("code",),
                              {"resource": "code", "name": "name", "capacity_hours": "capacity_hours",
                               "cost_per_hour": "cost_per_hour", "overtime_hours": "overtime_hours",
                               "overtime_cost_per_hour": "overtime_cost_per_hour"}, {}),
    "routings": TableBinding("routings", Routing, ("product_id", "resource_id"),
                             {"hours_per_unit": "hours_per_unit"},
                             {"sku": "product_id", "resource": "resource_id"}),
    "demand": TableBinding("demand", DemandActual, ("product_id", "period"),
                           {"period": "period", "ordered_qty": "ordered_qty", "shipped_qty": "shipped_qty",
                            "shipped_on_time_in_full_qty": "shipped_on_time_in_full_qty", "promo": "promo"},
                           {"sku": "product_id"}),
    "inventory": TableBinding("inventory", InventorySnapshot, ("product_id", "snapshot_date"),
                              {"snapshot_date": "snapshot_date", "on_hand": "on_hand"}, {"sku": "product_id"}),
    "supply": TableBinding("supply", SupplyPlan, ("product_id", "period"),
                           {"period": "period", "planned_receipts": "planned_receipts", "kind": "kind",
                            "firm": "firm"}, {"sku": "product_id"}),
}
