"""`python -m genxsop_core balance` on the demo (as the app seeds it): prints the plan now beside the
balanced one, writes nothing without --write, writes the changed receipts audited with it, and
says in one line when the cycle does not exist."""
from __future__ import annotations

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
