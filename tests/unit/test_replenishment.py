"""Proposed receipts and fence shortages against hand-worked netting (P = projected inventory)."""
import numpy as np
import pytest

from genxsop_core.inventory.formulas import project_inventory
from genxsop_core.supply.replenishment import propose_receipts, unfixable_shortage

# The running example: on hand 100, demand 40 a period for 5 periods, SS 30, no planned receipts.
# Without new receipts P = [60, 20, -20, -60, -100].
ON_HAND, DEMAND, NONE = [100.0], [[40.0] * 5], [[0.0] * 5]


def propose(on_hand=ON_HAND, receipts=NONE, demand=DEMAND, safety_stock=30.0, lot_size=50.0, fence=0):
    return propose_receipts(on_hand, receipts, demand, np.atleast_1d(safety_stock), [lot_size], [fence])


def test_moq_rounds_each_shortfall_up_to_whole_lots():
    # t1: P = 20 < 30, short 10 -> 1 lot (50), P = 70; t2: -20 + 50 = 30, fine;
    # t3: -60 + 50 = -10, short 40 -> 1 lot, P = 40; t4: -100 + 100 = 0, short 30 -> 1 lot, P = 50
    added = propose()
    np.testing.assert_array_equal(added, [[0, 50, 0, 50, 50]])
    np.testing.assert_array_equal(project_inventory(ON_HAND, added, DEMAND), [[60, 70, 30, 40, 50]])


def test_moq_zero_gives_the_exact_shortfall():
    # t1: short 10; from then on each period's demand of 40 is replaced exactly, P stays at 30
    added = propose(lot_size=0.0)
    np.testing.assert_allclose(added, [[0, 10, 40, 40, 40]])
    np.testing.assert_allclose(project_inventory(ON_HAND, added, DEMAND), [[60, 30, 30, 30, 30]])


def test_fence_leaves_early_periods_empty_and_first_receipt_covers_the_backlog():
    # fence at t3: t3 P = -60, short 90 (backlog 60 + SS 30) -> 2 lots = 100, P = 40;
    # t4: -100 + 100 = 0, short 30 -> 1 lot, P = 50
    added = propose(fence=3)
    np.testing.assert_array_equal(added, [[0, 0, 0, 100, 50]])
    # inside the fence (t0..t2) P = [60, 20, -20]: a backlog of 20 at t2 only expediting can prevent
    np.testing.assert_array_equal(unfixable_shortage(ON_HAND, NONE, DEMAND, [3]), [20])


def test_no_backlog_inside_the_fence_is_zero():
    # fence at t2 covers P = [60, 20]: below SS at t1 but not a stockout; fence 0 covers nothing
    assert unfixable_shortage(ON_HAND, NONE, DEMAND, [2]).tolist() == [0.0]
    assert unfixable_shortage(ON_HAND, NONE, DEMAND, [0]).tolist() == [0.0]


def test_fence_past_the_horizon_adds_nothing_and_the_whole_backlog_is_unfixable():
    np.testing.assert_array_equal(propose(fence=5), np.zeros((1, 5)))
    np.testing.assert_array_equal(propose(fence=99), np.zeros((1, 5)))
    assert unfixable_shortage(ON_HAND, NONE, DEMAND, [99]).tolist() == [100.0]  # min P = -100


def test_planned_receipts_reduce_what_is_added():
    # 50 already planned in t1: P = [60, 70, 30, -10, -50];
    # t3: short 40 -> 1 lot, P = 40; t4: -50 + 50 = 0, short 30 -> 1 lot, P = 50
    planned = [[0.0, 50.0, 0.0, 0.0, 0.0]]
    added = propose(receipts=planned)
    np.testing.assert_array_equal(added, [[0, 0, 0, 50, 50]])
    assert added.sum() < propose().sum()  # 100 instead of 150


def test_safety_stock_by_period():
    # SS = [0, 0, 0, 0, 100], MOQ 0: t2: -20 -> 20; t3: -60 + 20 = -40 -> 40;
    # t4: -100 + 60 = -40, short 100 + 40 = 140
    added = propose(safety_stock=[[0, 0, 0, 0, 100]], lot_size=0.0)
    np.testing.assert_allclose(added, [[0, 0, 20, 40, 140]])


def test_skus_are_netted_independently_in_one_call():
    # the four cases above as four rows of one call give the same rows
    added = propose_receipts([100, 100, 100, 100], [[0] * 5, [0] * 5, [0] * 5, [0, 50, 0, 0, 0]], DEMAND * 4,
                             [30, 30, 30, 30], [50, 0, 50, 50], [0, 0, 3, 0])
    np.testing.assert_allclose(added, [[0, 50, 0, 50, 50], [0, 10, 40, 40, 40], [0, 0, 0, 100, 50],
                                       [0, 0, 0, 50, 50]])


@pytest.fixture
def random_plan():
    rng = np.random.default_rng(7)
    n, periods = 40, 12
    return dict(on_hand=rng.uniform(-50, 300, n), receipts=rng.choice([0.0, 80.0], size=(n, periods), p=[0.8, 0.2]),
                demand=rng.uniform(0, 60, (n, periods)), safety_stock=rng.uniform(0, 90, (n, periods)),
                lot_size=rng.choice([0.0, 25.0, 60.0], n), earliest_period=rng.integers(0, 15, n))


def test_after_adding_no_period_from_the_fence_on_ends_below_safety_stock(random_plan):
    p = random_plan
    added = propose_receipts(**p)
    assert np.all(added >= 0)
    projected = project_inventory(p["on_hand"], p["receipts"] + added, p["demand"])
    from_fence = np.arange(12)[None, :] >= p["earliest_period"][:, None]
    assert np.all(projected[from_fence] >= p["safety_stock"][from_fence] - 1e-9)
    assert np.all(added[~from_fence] == 0)
    lots = np.broadcast_to(p["lot_size"][:, None], added.shape)
    with_lot = lots > 0
    np.testing.assert_allclose(np.round(added[with_lot] / lots[with_lot]), added[with_lot] / lots[with_lot])


def test_no_proposed_lot_is_unneeded(random_plan):
    # taking one lot out of any proposed receipt puts that period below safety stock;
    # with MOQ 0 every receipt lifts its period exactly to safety stock
    p = random_plan
    added = propose_receipts(**p)
    projected = project_inventory(p["on_hand"], p["receipts"] + added, p["demand"])
    for sku, period in np.argwhere(added > 0):
        lot = p["lot_size"][sku]
        if lot == 0:
            assert projected[sku, period] == pytest.approx(p["safety_stock"][sku, period])
        else:
            assert projected[sku, period] - lot < p["safety_stock"][sku, period]


@pytest.mark.parametrize("change, message", [
    (dict(demand=[[40.0] * 4]), "receipts \\(1, 5\\) and demand \\(1, 4\\)"),
    (dict(on_hand=[100.0, 50.0]), "on_hand must have one value per SKU"),
    (dict(safety_stock=[[30.0] * 4]), "safety_stock must have shape"),
    (dict(lot_size=[50.0, 50.0]), "lot_size must have one value per SKU"),
    (dict(lot_size=[-10.0]), "lot_size must be finite and >= 0.*-10"),
    (dict(safety_stock=[-1.0]), "safety_stock must be finite and >= 0.*-1"),
    (dict(demand=[[40.0, -5.0, 40.0, 40.0, 40.0]]), "demand must be finite and >= 0.*-5.0 at SKU row 0, period 1"),
    (dict(earliest_period=[-1]), "earliest_period must be a whole period index >= 0, got -1"),
    (dict(earliest_period=[1.5]), "earliest_period must be a whole period index"),
])
def test_invalid_input_names_the_argument(change, message):
    arguments = dict(on_hand=ON_HAND, receipts=NONE, demand=DEMAND, safety_stock=[30.0], lot_size=[50.0],
                     earliest_period=[0]) | change
    with pytest.raises(ValueError, match=message):
        propose_receipts(**arguments)


def test_unfixable_shortage_validates_like_propose():
    with pytest.raises(ValueError, match="earliest_period must have one value per SKU"):
        unfixable_shortage(ON_HAND, NONE, DEMAND, [1, 2])
    with pytest.raises(ValueError, match="demand must be finite"):
        unfixable_shortage(ON_HAND, NONE, [[np.nan] * 5], [1])
