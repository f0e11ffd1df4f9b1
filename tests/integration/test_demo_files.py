"""The demo company in data/: what the generator writes today, importable into an empty database,
and described column by column in data/README.md."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from genxsop_core.cli import main
from genxsop_core.demo.files import file_name
from genxsop_core.io import exporter, importer
from genxsop_core.io.formats import FORMATS, IMPORT_ORDER

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_KINDS = ("products", "resources", "routings", "demand", "inventory", "supply")


def _lines(content: bytes) -> list[str]:
    """A checkout may turn the exporter's CRLF into LF: compare the rows, not the line ends."""
    return content.decode("utf-8").splitlines()


def test_the_committed_files_are_what_export_demo_writes_today(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GENXSOP_BUCKET", raising=False)
    assert main(["export-demo", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(file_name(kind) for kind in DEMO_KINDS)
    assert sorted(p.name for p in DATA.glob("*.csv")) == written, "data/ holds a CSV the generator does not write"
    stale = [name for name in written
             if _lines((DATA / name).read_bytes()) != _lines((tmp_path / name).read_bytes())]
    assert not stale, (f"data/{', data/'.join(stale)} differ from what the demo generator writes: "
                       "run `python -m genxsop_core export-demo data/` and commit the files")
    assert "weekly history up to" in capsys.readouterr().out


def test_every_file_has_the_columns_of_its_import_format():
    for kind in DEMO_KINDS:
        header = _lines((DATA / file_name(kind)).read_bytes())[0].split(",")
        assert header == FORMATS[kind].column_names, kind


def test_the_files_import_in_import_order_into_an_empty_database(uow_factory, admin, monkeypatch):
    monkeypatch.delenv("GENXSOP_BUCKET", raising=False)  # the files hold weekly buckets
    for kind in IMPORT_ORDER:
        content = (DATA / file_name(kind)).read_bytes()
        rows = len(_lines(content)) - 1
        result = importer.import_file(uow_factory(), admin, kind, f"data/{file_name(kind)}", content)
        assert (result.rows, result.inserted, result.updated) == (rows, rows, 0), kind
    products = exporter.export_frame(uow_factory(), "products")
    assert len(products) == 128 and products["family"].nunique() == 12
    demand = exporter.export_frame(uow_factory(), "demand")
    committed = pd.read_csv(io.BytesIO((DATA / "demand.csv").read_bytes()))
    assert demand["ordered_qty"].sum() == committed["ordered_qty"].sum()
    assert set(exporter.export_frame(uow_factory(), "supply")["kind"]) == {"make", "buy"}


@pytest.mark.parametrize("kind", DEMO_KINDS)
def test_data_readme_describes_every_column(kind):
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert f"`{file_name(kind)}`" in readme
    missing = [c.name for c in FORMATS[kind].columns if f"`{c.name}`" not in readme]
    assert not missing, f"data/README.md does not describe {kind} columns {missing}"
