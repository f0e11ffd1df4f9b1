"""The importers' hostile-input properties (test_hostile_imports.py) at the API's bulk endpoint,
POST /api/v1/demand/actuals, on SQLite and PostgreSQL.

Rows arrive as JSON objects instead of a file's lines, so the oracle is the same (`expected_rows`)
and so is the promise: the rows read back equal what was sent, or the answer is a 422 in the one
error shape naming the row (its position in `rows`, from 1) and column, and nothing is written;
never a 500.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from genxsop_core.api.app import create_app, settings_for
from genxsop_core.api.auth import Caller
from genxsop_core.api.deps import current_caller
from genxsop_core.domain.permissions import Actor
from genxsop_core.io.formats import FORMATS
from tests.property import test_hostile_imports as hostile
from tests.property.hostile_files import SKUS, Sandbox, Sheet, expected_rows, exported_rows, invalid_cells, valid_sheets
from tests.property.test_hostile_imports import PROPERTY, assert_stored

DEMAND = FORMATS["demand"]
ACTUALS = "/api/v1/demand/actuals"
# the importers' fixtures: one database per backend for the module, restored to the small company per example
database = hostile.database
sandbox = hostile.sandbox
# the fuzzing is about the rows, not about signing in: every call acts as a demand planner's key
PLANNER = Caller(Actor("key:fuzz", ("demand_planner",)), "fuzz", "key")


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[TestClient]:
    app = create_app(settings_for(sandbox.url, api_secret="fuzzing-secret-of-at-least-32-characters", demo=False))
    app.dependency_overrides[current_caller] = lambda: PLANNER
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def json_cell(value: Any) -> Any:
    """A spreadsheet cell as a JSON client sends it: dates as ISO text, everything else as it is."""
    return value.isoformat()[:10] if isinstance(value, (date, datetime)) else value


def json_rows(sheet: Sheet) -> list[dict[str, Any]]:
    """The sheet's rows as JSON objects keyed by its header (blank rows left out: JSON has none)."""
    return [{h: json_cell(v) for h, v in zip(sheet.header, cells, strict=False)}
            for cells in sheet.rows if cells is not None]


def post(client: TestClient, sandbox: Sandbox, rows: list[dict[str, Any]]) -> Any:
    """Post; a refusal must be a located 422 that wrote nothing, an acceptance a 200."""
    before = sandbox.fingerprint()
    answer = client.post(ACTUALS, json={"rows": rows})
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        error = answer.json()["error"]
        assert error["code"] in ("validation_failed", "invalid_request") and error["message"], error
        assert sandbox.fingerprint() == before
    else:
        sandbox.dirty = True
    return answer


@PROPERTY
@given(data=st.data())
def test_valid_rows_are_stored_exactly_and_a_second_post_changes_nothing(client, sandbox, data):
    file_type = data.draw(st.sampled_from(["csv", "xlsx"]), label="cells as")  # text cells, or typed ones
    sheet = data.draw(valid_sheets(DEMAND, file_type), label="sheet")
    sandbox.restore()
    answer = post(client, sandbox, json_rows(sheet))
    assert answer.status_code == 200, answer.json()
    expected = expected_rows(DEMAND, sheet, file_type)
    assert answer.json()["rows"] == len(expected)
    assert_stored(exported_rows(sandbox.uow(), DEMAND), expected)
    again = post(client, sandbox, json_rows(sheet)).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, len(expected))


@PROPERTY
@given(data=st.data())
def test_one_bad_cell_is_refused_naming_its_row_and_column(client, sandbox, data):
    sheet = data.draw(valid_sheets(DEMAND, "csv"), label="sheet")
    rows = json_rows(sheet)
    position = data.draw(st.integers(0, len(rows) - 1), label="row")
    header = data.draw(st.sampled_from(sheet.header), label="column")
    column = DEMAND.column(sheet.canonical[sheet.header.index(header)])
    rows[position][header] = json_cell(data.draw(invalid_cells(DEMAND, column, "csv"), label="bad cell"))
    sandbox.restore()
    answer = post(client, sandbox, rows)
    assert answer.status_code == 422
    located = {(i["row"], i["column"]) for i in answer.json()["error"]["issues"]}
    assert (position + 1, column.name) in located, located


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 40, 10 ** 40),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
                     st.sampled_from(SKUS), st.dates().map(date.isoformat), st.sampled_from(["2025-01-06", "1", "0"]))
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                          max_size=3), max_leaves=6)
_KEYS = st.sampled_from([*DEMAND.column_names, "SKU", " Period ", "colour", "", "sku.1", "名前", "x" * 300])


@PROPERTY
@given(rows=st.lists(st.dictionaries(_KEYS, _JSON, max_size=7), max_size=6))
def test_any_json_rows_are_stored_or_refused_whole_never_a_server_error(client, sandbox, rows):
    sandbox.restore()
    answer = post(client, sandbox, rows)
    if answer.status_code == 422:
        error = answer.json()["error"]
        assert error.get("row") is None or 1 <= error["row"] <= len(rows), error
        return
    stored = exported_rows(sandbox.uow(), DEMAND)
    assert answer.json()["rows"] == len(rows) and len(stored) >= len(rows)
