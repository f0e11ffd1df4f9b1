"""The CLI in a real subprocess: --help everywhere, one-line errors, non-zero exit on failure."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genxsop_core.cli import main
from tests.integration.test_import_service import DEMAND, PRODUCTS


def cli(database_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GENXSOP_DATABASE_URL": database_url, "GENXSOP_BUCKET": "week"}
    return subprocess.run([sys.executable, "-m", "genxsop_core", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=120)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.mark.parametrize("command", [[], ["init-db"], ["seed-demo"], ["import"], ["export"], ["template"],
                                     ["users"], ["users", "add"], ["users", "list"], ["users", "set-roles"],
                                     ["backup"], ["restore"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as leaving:
        main([*command, "--help"])
    assert leaving.value.code == 0 and "usage:" in capsys.readouterr().out


def test_import_export_and_users_end_to_end(sqlite_url, tmp_path):
    assert cli(sqlite_url, "init-db").returncode == 0
    (tmp_path / "products.csv").write_bytes(PRODUCTS)
    (tmp_path / "demand.csv").write_bytes(DEMAND)
    result = cli(sqlite_url, "import", "products", str(tmp_path / "products.csv"))
    assert result.returncode == 0 and "3 new" in result.stdout
    assert "3 new" in cli(sqlite_url, "import", "demand", str(tmp_path / "demand.csv")).stdout
    assert "3 unchanged" in cli(sqlite_url, "import", "demand", str(tmp_path / "demand.csv")).stdout
    out = tmp_path / "out.xlsx"
    assert cli(sqlite_url, "export", "demand", str(out)).returncode == 0 and out.stat().st_size > 0
    added = cli(sqlite_url, "users", "add", "bob", "--name", "Bob", "--roles", "viewer,executive",
                "--password-stdin", stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert cli(sqlite_url, "users", "set-roles", "bob", "--roles", "coordinator").returncode == 0
    listing = cli(sqlite_url, "users", "list").stdout
    assert "bob" in listing and "coordinator" in listing and "executive" not in listing


def test_a_template_starts_from_the_loaded_data_once_there_is_some(sqlite_url, tmp_path):
    out = tmp_path / "products.csv"
    before = cli(sqlite_url, "template", "products", str(out))  # no database set up yet
    assert before.returncode == 0 and "the format's example values" in before.stdout, before.stderr
    assert cli(sqlite_url, "init-db").returncode == 0
    (tmp_path / "loaded.csv").write_bytes(PRODUCTS)
    assert cli(sqlite_url, "import", "products", str(tmp_path / "loaded.csv")).returncode == 0
    after = cli(sqlite_url, "template", "products", str(out))
    assert after.returncode == 0 and "a row of the loaded data" in after.stdout, after.stderr
    loaded = {line.split(",")[0] for line in PRODUCTS.decode().splitlines()[1:]}
    assert out.read_text().splitlines()[1].split(",")[0] in loaded  # a SKU the planner imported


@pytest.mark.parametrize("args, message", [
    (["import", "demand", "missing.csv"], "no such file"),
    (["users", "set-roles", "nobody", "--roles", "viewer"], "no user named 'nobody'"),
    (["users", "add", "bob", "--name", "Bob", "--roles", "boss", "--password-stdin"], "unknown role"),
])
def test_errors_are_one_line_and_exit_non_zero(sqlite_url, args, message):
    cli(sqlite_url, "init-db")
    result = cli(sqlite_url, *args, stdin="a-long-password\n")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_invalid_file_reports_file_row_and_column(sqlite_url, tmp_path):
    cli(sqlite_url, "init-db")
    bad = tmp_path / "products.csv"
    bad.write_bytes(PRODUCTS.replace(b"1.0,2.0", b"1.0,two"))
    result = cli(sqlite_url, "import", "products", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: products.csv, row 2, column unit_price: 'two' is not a number"


def test_bad_configuration_is_one_line(sqlite_url):
    result = subprocess.run([sys.executable, "-m", "genxsop_core", "init-db"], capture_output=True, text=True,
                            env={**os.environ, "GENXSOP_DATABASE_URL": sqlite_url, "GENXSOP_BUCKET": "day"})
    assert result.returncode == 1 and "GENXSOP_BUCKET" in result.stderr and result.stderr.count("\n") == 1


def test_forecast_and_backtest_commands(sqlite_url):
    assert cli(sqlite_url, "seed-demo", "--without-plans").returncode == 0
    result = cli(sqlite_url, "forecast", "--scope", "family:Juice", "--model", "naive", "--horizon", "4",
                 "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert "done" in result.stdout and "naive" in result.stdout
    backtest = cli(sqlite_url, "backtest", "--scope", "skus:BEV-JUI-001,BEV-JUI-002", "--models", "naive,ets",
                   "--horizon", "4")
    assert backtest.returncode == 0, backtest.stderr
    assert "backtest of 2 series" in backtest.stdout and "ets" in backtest.stdout


@pytest.mark.parametrize("args, message", [
    (["forecast", "--scope", "family:Nothing"], "holds no active SKUs"),
    (["forecast", "--horizon", "200"], "horizon must be 1 to 104"),
    (["forecast", "--model", "arima"], "unknown model 'arima'"),
])
def test_forecast_errors_are_one_line(sqlite_url, args, message):
    cli(sqlite_url, "seed-demo", "--without-plans")
    result = cli(sqlite_url, *args)
    assert result.returncode == 1 and message in result.stderr and result.stderr.count("\n") == 1
