"""The product hierarchy module: the one list of levels, a node's SKUs and label, and the helpers
the demand, KPI and persistence code share instead of their own copies."""
from __future__ import annotations

import pandas as pd
import pytest

from genxsop_core.domain import hierarchy
from genxsop_core.domain.exceptions import InvalidInput, NotFound
from genxsop_core.domain.hierarchy import LEVELS, Level, Node

PRODUCTS = pd.DataFrame({"sku": ["J2", "J1", "W1", "C1"], "category": ["Drinks", "Drinks", "Drinks", "Food"],
                         "family": ["Juice", "Juice", "Water", "Cereal"]})


def test_the_levels_are_the_stored_strings_top_down():
    assert LEVELS == ("total", "category", "family", "sku")  # stored with targets and overrides: never rename
    assert hierarchy.GROUP_LEVELS == ("category", "family")
    assert hierarchy.BOTTOM_UP == ("sku", "family", "category")
    assert set(hierarchy.LEVEL_LABELS) == set(LEVELS) and hierarchy.LEVEL_LABELS["sku"] == "SKU"


@pytest.mark.parametrize("node, skus", [
    (Node(), ["C1", "J1", "J2", "W1"]), (Node("category", "Drinks"), ["J1", "J2", "W1"]),
    (Node("family", "Juice"), ["J1", "J2"]), (Node(Level.SKU, "W1"), ["W1"]),
])
def test_a_node_knows_its_skus(node, skus):
    assert node.skus(PRODUCTS) == skus


def test_a_node_without_products_or_at_an_unknown_level_is_refused():
    with pytest.raises(NotFound, match="no products under family 'Tea'"):
        Node("family", "Tea").skus(PRODUCTS)
    with pytest.raises(InvalidInput, match="level must be one of total, category, family, sku, not 'region'"):
        Node("region", "North").skus(PRODUCTS)


def test_labels_name_the_level_and_the_key():
    assert [Node().label(), Node("family", "Juice").label(), Node("sku", "J1").label()] == \
        ["All products", "Family Juice", "SKU J1"]
    assert Node() == Node("total", "") and hash(Node()) == hash(Node("total", ""))  # cache keys stay equal


def test_parents_children_and_grouping_columns_follow_the_order_of_the_levels():
    assert [hierarchy.parent_levels(level) for level in LEVELS] == \
        [(), (), ("category",), ("family", "category")]
    assert [hierarchy.child_level(level) for level in LEVELS] == ["category", "family", "sku", None]
    assert [hierarchy.group_columns(level) for level in LEVELS] == [[], ["category"], ["family"], ["sku"]]
    with pytest.raises(InvalidInput):
        hierarchy.child_level("region")
