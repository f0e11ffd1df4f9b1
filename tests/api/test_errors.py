"""The one error shape: each domain exception's status and code, validation naming the field, the body size
limit on a chunked upload, a bug answered 500 with the request id, and the log lines of a request."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from genxsop_core.admin.logs import JsonLineFormatter
from genxsop_core.api.app import create_app, settings_for
from genxsop_core.domain.exceptions import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    ValidationIssue,
)
from tests.api.conftest import API_SECRET

RAISED = {
    "forbidden": (PermissionDenied("viewer may not demand plan: edit"), 403),
    "not_found": (NotFound("no plan version 9"), 404),
    "conflict": (Conflict("dana saved this cell meanwhile: 120 -> 130"), 409),
    "invalid_input": (InvalidInput("horizon must be 1..104"), 422),
    "configuration": (ConfigurationError("GENXSOP_BUCKET='day' must be 'week' or 'month'"), 503),
}


@pytest.fixture
def client(tmp_path) -> Iterator[TestClient]:
    """The app with a test router that raises what it is told (on a throwaway SQLite file: nothing is read)."""
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'unused.db'}", api_secret=API_SECRET, demo=False,
                                  api_max_body_mb=1))
    router = APIRouter()

    @router.get("/raise/{code}")
    def raise_it(code: str) -> None:
        if code == "validation_failed":
            raise ValidationFailed([ValidationIssue("rows", 3, "ordered_qty", "-5 is below 0"),
                                    ValidationIssue("rows", 4, "sku", "'X' is not a known SKU")])
        if code == "bug":
            raise ZeroDivisionError("a bug")
        raise RAISED[code][0]

    @router.post("/echo")
    def echo(body: dict[str, int]) -> dict[str, int]:
        return body

    app.include_router(router, prefix="/test")
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("code", RAISED)
def test_each_domain_exception_has_its_status_and_code_and_the_message_as_written(client, code):
    error, status = RAISED[code]
    answer = client.get(f"/test/raise/{code}")
    assert answer.status_code == status
    assert answer.json() == {"error": {"code": code, "message": str(error)}}


def test_a_validation_failure_names_the_first_row_and_column_and_lists_every_issue(client):
    answer = client.get("/test/raise/validation_failed")
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["row"], error["column"], error["field"]) == ("validation_failed", 3, "ordered_qty",
                                                                              "ordered_qty")
    assert error["issues"] == [{"row": 3, "column": "ordered_qty", "message": "-5 is below 0"},
                               {"row": 4, "column": "sku", "message": "'X' is not a known SKU"}]


def test_a_malformed_request_names_the_field(client):
    answer = client.post("/test/echo", json={"units": "many"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_request" and error["field"] == "units" and error["message"].startswith("units:")
    not_json = client.post("/test/echo", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 422 and not_json.json()["error"]["code"] == "invalid_request"
    assert client.get("/api/v1/nowhere").json() == {"error": {"code": "not_found", "message": "Not Found"}}
    assert client.delete("/api/v1/health").status_code == 405


def test_a_chunked_body_is_cut_off_at_the_limit_too(client):
    def chunks() -> Iterator[bytes]:
        yield b'{"units": ' + b"1" * (512 * 1024)
        yield b"1" * (600 * 1024) + b"}"

    answer = client.post("/test/echo", content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "payload_too_large"
    assert client.post("/test/echo", json={"units": 3}).json() == {"units": 3}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []
        self.setFormatter(JsonLineFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def log_lines() -> Iterator[list[dict]]:
    handler = Lines()
    logger = logging.getLogger("genxsop")
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(saved)


def test_a_bug_answers_500_with_the_request_id_and_logs_the_traceback_under_it(client, log_lines):
    answer = client.get("/test/raise/bug", headers={"X-Request-ID": "trace-me"})
    assert answer.status_code == 500
    assert answer.json()["error"] == {"code": "internal", "request_id": "trace-me",
                                      "message": "the server failed to answer; quote the request id to the "
                                                 "administrator"}
    (logged,) = [line for line in log_lines if line["message"] == "unexpected error answering a request"]
    assert logged["request_id"] == "trace-me" and "ZeroDivisionError" in logged["error"]
    assert "a bug" not in answer.text  # the bug's text stays in the log


def test_the_lines_of_a_write_carry_the_request_id_and_the_key(api, demo, log_lines):
    sku = api.client.get("/api/v1/products?limit=1", headers=api.headers("viewer")).json()["items"][0]["sku"]
    answer = api.client.post("/api/v1/demand/actuals", headers={**api.headers("demand_planner"), "X-Request-ID": "n-1"},
                             json={"rows": [{"sku": sku, "period": "2030-01-07", "ordered_qty": 5}]})
    assert answer.status_code == 200 and answer.headers["x-request-id"] == "n-1"
    lines = [line for line in log_lines if line.get("request_id") == "n-1"]
    event = next(line for line in lines if line["logger"] == "genxsop.events")
    assert event["api_key"] == "demand_planner-key" and event["actor"] == "key:demand_planner-key"
    access = next(line for line in lines if line["logger"] == "genxsop.api")
    assert access["message"] == "POST /api/v1/demand/actuals 200" and access["api_key"] == "demand_planner-key"


def test_a_missing_value_of_any_kind_is_null_in_json():
    from datetime import date

    import numpy as np
    import pandas as pd

    from genxsop_core.api.schemas import json_value, rows

    assert [json_value(v) for v in (None, float("nan"), pd.NaT, pd.NA, np.datetime64("NaT"), np.float64("nan"))] == \
        [None] * 6
    frame = pd.DataFrame({"day": pd.to_datetime(["2026-11-30", None]), "units": [np.int64(3), None],
                          "when": [pd.Timestamp("2026-12-03 17:00:00"), pd.NaT], "on": [date(2026, 1, 5), None]})
    assert rows(frame) == [{"day": "2026-11-30", "units": 3.0, "when": "2026-12-03T17:00:00", "on": "2026-01-05"},
                           {"day": None, "units": None, "when": None, "on": None}]
