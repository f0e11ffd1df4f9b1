"""`python -m genxsop_core balance` on the demo (as the app seeds it): prints the plan now beside the
balanced one, writes nothing without --write, writes the changed receipts audited with it, and
says in one line when the cycle does not exist."""
from __future__ import annotations

import re

from genxsop_core.cycle import dashboard as dashboard_views
from tests.integration.test_cli import cli
from tests.integration.test_demand_plans import audit


def test_balance_prints_then_writes_the_balanced_receipts(demo_history, database_url):
    plan = dashboard_views.current_plan(demo_history())
    shown = cli(database_url, "balance")
    assert shown.returncode == 0, shown.stderr
    assert f"supply version {plan.supply_version_id}" in shown.stdout and "Fill rate" in shown.stdout
    assert "what binds the SKUs" in shown.stdout and "receipts would change" in shown.stdout
    assert not [e for e in audit(demo_history, "supply_plan") if e.action == "accept_balanced_receipts"]

    written = cli(database_url, "balance", "--write")
    assert written.returncode == 0, written.stderr
    count = int(written.stdout.rsplit("\n", 2)[-2].split()[0])
    assert count > 0 and "audited: accept_balanced_receipts" in written.stdout
    entries = [e for e in audit(demo_history, "supply_plan") if e.action == "accept_balanced_receipts"]
    assert len(entries) == 1 and entries[0].key == str(plan.supply_version_id)
    again = cli(database_url, "balance")
    assert again.returncode == 0 and "\n0 receipts would change" in again.stdout  # the plan is balanced now


def test_an_unknown_cycle_is_one_line_on_stderr(demo_history, database_url):
    result = cli(database_url, "balance", "--cycle", "1999-01")
    assert result.returncode == 1 and "error: no S&OP cycle for 1999-01" in result.stderr.splitlines()
    result = cli(database_url, "balance", "--cycle", "soon")
    assert result.returncode == 1 and "YYYY-MM" in result.stderr


def test_the_penalty_and_priorities_reach_the_balance_and_are_said(demo_history, database_url):
    """--safety-stock-penalty and --priority (repeatable, SKU=W or family:NAME=W) change what the
    solver weighs, and the summary says which were used; a priority it cannot use is one line."""
    default = cli(database_url, "balance")
    assert default.returncode == 0, default.stderr
    assert "a unit below safety stock costs 2 x its holding cost per week; priorities: every SKU priority 1" \
        in default.stdout
    chosen = cli(database_url, "balance", "--safety-stock-penalty", "0", "--priority", "family:Coffee=3",
                 "--priority", "BEV-COF-001=0")
    assert chosen.returncode == 0, chosen.stderr
    assert "a unit below safety stock costs 0 x its holding cost per week" in chosen.stdout
    assert "priority 3: " in chosen.stdout and "SKU BEV-COF-002" in chosen.stdout
    assert "priority 0: SKU BEV-COF-001" in chosen.stdout
    assert objective(chosen.stdout) != objective(default.stdout)
    assert re.search(r" - below safety stock \D?0$", objective(chosen.stdout))  # penalty 0: nothing to pay
    for bad, said in ((["--priority", "BEV-COF-001"], "--priority takes SKU=WEIGHT"),
                      (["--priority", "family:Nope=2"], "no product in the plan belongs to Family Nope")):
        result = cli(database_url, "balance", *bad)
        assert result.returncode == 1 and said in result.stderr and len(result.stderr.strip().splitlines()) == 1


def objective(printed: str) -> str:
    return next(line for line in printed.splitlines() if line.startswith("objective "))
