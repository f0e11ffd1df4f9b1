"""Import templates start from the loaded data: SKUs and resources the planner knows, and a template
imported unchanged changes nothing; an empty database gets the example codes."""
from __future__ import annotations

import pytest

from genxsop_core.io import exporter, importer
from genxsop_core.io.formats import FORMATS, IMPORT_ORDER
from genxsop_core.io.readers import read_table


@pytest.mark.parametrize("file_type", ["csv", "xlsx"])
def test_templates_name_skus_and_resources_of_the_loaded_data(demo, admin, file_type):
    with demo() as uow:
        skus = set(uow.products.ids_by_sku())
        resources = set(uow.resources.ids_by_code())
    for kind in IMPORT_ORDER:
        content = exporter.template(kind, file_type, demo())
        row = read_table(f"template.{file_type}", content).iloc[0]
        assert list(row.index) == FORMATS[kind].column_names, kind
        if "sku" in row:
            assert row.sku in skus, (kind, row.sku)
        if "resource" in row:
            assert row.resource in resources, (kind, row.resource)
        result = importer.import_file(demo(), admin, kind, f"template.{file_type}", content)
        assert (result.inserted, result.updated) == (0, 0), (kind, result.summary())  # a row as it stands


def test_an_empty_database_gets_the_example_codes(uow_factory):
    for kind in IMPORT_ORDER:
        row = read_table("template.csv", exporter.template(kind, "csv", uow_factory())).iloc[0]
        if "sku" in row:
            assert row.sku == "SKU-0001", kind
        if "resource" in row:
            assert row.resource == "FILL-1", kind
