"""Widgets several pages share: the plan-version picker and the category -> family -> SKU drill-down."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from genxsop_core.domain.hierarchy import Node

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


def plan_version_picker(label: str, versions: pd.DataFrame, key: str, *, container: DeltaGenerator | None = None,
                        show_cycle: bool = False) -> int:
    """The select box of a demand or supply plan version, one of `versions` (a non-empty
    list_versions frame, newest cycle first; the first is preselected). Options read
    "name · status" (" · cycle" with `show_cycle`). A page that creates or promotes a version
    selects it through handoff.rerun with `key`. `container` is where it is drawn (a column)."""
    labels = {int(r.id): f"{r.name} · {r.status}" + (f" · {r.cycle}" if show_cycle else "")
              for r in versions.itertuples()}
    selectbox = st.selectbox if container is None else container.selectbox
    return int(selectbox(label, list(labels), format_func=labels.get, key=key))
