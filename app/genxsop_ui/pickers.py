"""Widgets several pages share: the category -> family -> SKU drill-down."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from genxsop_core.demand.views import Node

ALL = "All"


def hierarchy_picker(hierarchy: pd.DataFrame, prefix: str) -> tuple[Node, pd.Series]:
    """Three select boxes (keys `{prefix}_category`, `_family`, `_sku`); returns the chosen node
    and the names of the SKUs under the chosen family (for labels)."""
    drill = st.columns(3)
    category = drill[0].selectbox("Category", [ALL, *sorted(hierarchy.category.unique())], key=f"{prefix}_category")
    in_category = hierarchy if category == ALL else hierarchy[hierarchy.category == category]
    family = drill[1].selectbox("Family", [ALL, *sorted(in_category.family.unique())], key=f"{prefix}_family")
    in_family = in_category if family == ALL else in_category[in_category.family == family]
    names = in_family.set_index("sku").name
    sku = drill[2].selectbox("SKU", [ALL, *in_family.sku], key=f"{prefix}_sku",
                             format_func=lambda s: s if s == ALL else f"{s} · {names.get(s, '')}")
    node = (Node("sku", sku) if sku != ALL else Node("family", family) if family != ALL
            else Node("category", category) if category != ALL else Node())
    return node, names
