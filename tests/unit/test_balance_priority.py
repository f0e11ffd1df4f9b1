"""SKU priorities as the planner sets them (per category, family or SKU, the most specific winning),
the CLI's SKU=W, the sentence that says which were used, and what a priority does to the balance
when hours run short. On the small hand-made plan (tests/plan_builders.py)."""
from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.supply.balance import BalanceOptions, balance
from genxsop_core.supply.balance_priority import parse_priority, priority_sentence, sku_priorities, targets
from genxsop_core.supply.balance_report import options_sentence
from tests.plan_builders import PRODUCTS, small_plan, with_capacity

# a fourth SKU, so a family (Juice: M1, J2) and a category (Beverages: M1, J2, M2) hold more than one
PRODUCTS4 = pd.concat([PRODUCTS, PRODUCTS[PRODUCTS.sku == "M1"].assign(sku="J2", name="Orange juice")],
                      ignore_index=True)


def test_every_category_family_and_sku_can_be_named():
    assert targets(PRODUCTS) == ["category:Beverages", "category:Snacks", "family:Juice", "family:Salty",
                                 "family:Soda", "sku:B1", "sku:M1", "sku:M2"]


def test_the_most_specific_setting_wins_and_the_default_is_left_out():
    settings = [("category:Beverages", 1.5), ("family:Juice", 3.0), ("sku:J2", 0.0), ("M2", 1.0)]
    assert sku_priorities(PRODUCTS4, settings) == {"M1": 3.0, "J2": 0.0}  # M2 set back to 1 by its own setting
    assert sku_priorities(PRODUCTS4, [("category:Beverages", 1.5)]) == {"M1": 1.5, "J2": 1.5, "M2": 1.5}
    assert sku_priorities(PRODUCTS4, []) == {}


@pytest.mark.parametrize(("settings", "message"), [
    ([("family:Fruit", 2.0)], "no product in the plan belongs to Family Fruit"),
    ([("X9", 2.0)], "no product in the plan belongs to SKU X9"),
    ([("M1", -1.0)], "the priority of SKU M1 must be a number >= 0"),
    ([("M1", math.nan)], "the priority of SKU M1 must be a number >= 0"),
    ([("family:Juice", 2.0), ("family:Juice", 3.0)], "Family Juice is given two priorities (2 and 3)"),
])
def test_a_setting_that_cannot_be_used_is_refused_with_what_is_wrong(settings, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        sku_priorities(PRODUCTS4, settings)


def test_the_same_setting_twice_with_the_same_weight_is_no_conflict():
    assert sku_priorities(PRODUCTS4, [("family:Juice", 2.0), ("family:Juice", 2.0)]) == {"M1": 2.0, "J2": 2.0}


def test_the_cli_reads_sku_equals_weight_and_groups():
    assert parse_priority("M1=2") == ("sku:M1", 2.0)
    assert parse_priority("family:Juice=1.5") == ("family:Juice", 1.5)
    assert parse_priority(" category:Snacks = 0 ") == ("category:Snacks", 0.0)
    for bad in ("M1", "M1=", "=2", "M1=-1", "M1=high", "M1=inf"):
        with pytest.raises(InvalidInput, match="--priority takes SKU=WEIGHT"):
            parse_priority(bad)


def test_the_sentence_names_whole_groups_and_the_skus_set_apart():
    assert priority_sentence({}, PRODUCTS4) == "every SKU priority 1"
    assert priority_sentence({"M1": 1.0}, PRODUCTS4) == "every SKU priority 1"
    assert priority_sentence({"M1": 3.0, "J2": 2.0, "B1": 2.0}, PRODUCTS4) == \
        "priority 3: SKU M1; priority 2: SKU B1, SKU J2; every other SKU 1"
    assert priority_sentence({"M1": 2.0, "J2": 2.0, "M2": 0.5}, PRODUCTS4) == \
        "priority 2: family Juice (2 SKUs); priority 0.5: SKU M2; every other SKU 1"
    everyone = {sku: 2.0 for sku in PRODUCTS4.sku}
    assert priority_sentence(everyone, PRODUCTS4) == \
        "priority 2: category Beverages (3 SKUs), SKU B1; every other SKU 1"


def test_a_long_list_of_skus_is_named_in_part_and_counted():
    many = pd.DataFrame({"sku": [f"S{i}" for i in range(9)], "category": "C", "family": ["F"] * 8 + ["G"]})
    sentence = priority_sentence({f"S{i}": 2.0 for i in range(7)}, many)
    assert sentence == "priority 2: SKU S0, SKU S1, SKU S2, SKU S3, SKU S4, 2 more SKUs; every other SKU 1"


def test_a_priority_serves_its_family_first_when_hours_run_short():
    """R1 at 60 h cannot make both M1 (0.5 h, margin 4) and M2 (0.5 h + 1 h on R2, margin 8): by
    margin per R1 hour M2 goes first; Juice at priority 5 (a lost unit then costs 4 + 20) goes first."""
    plan = with_capacity(small_plan(), R1=60.0)

    def lost(options: BalanceOptions) -> pd.Series:
        return balance(plan, options).inventory.groupby("sku").unmet.sum()

    plain = lost(BalanceOptions())
    juice_first = lost(BalanceOptions(priority=sku_priorities(plan.products, [("family:Juice", 5.0)])))
    assert plain["M1"] > 0 and juice_first["M1"] < plain["M1"]
    assert juice_first["M2"] > plain["M2"]


def test_the_options_sentence_says_the_penalty_and_the_priorities():
    options = replace(BalanceOptions(), safety_stock_penalty=0.5, priority={"M1": 3.0})
    assert options_sentence(options, PRODUCTS) == ("a unit below safety stock costs 0.5 x its holding cost per week; "
                                                   "priorities: priority 3: SKU M1; every other SKU 1")
    assert options_sentence(BalanceOptions(), PRODUCTS, 30.0).endswith("per period; priorities: every SKU priority 1")
