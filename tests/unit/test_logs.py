"""Structured logs: JSON lines tagged with user, session and run, across threads and processes."""
from __future__ import annotations

import io
import json
import logging
import threading

from genxsop_core.admin import logs
from genxsop_core.admin.logs import log_event
from genxsop_core.domain.events import RecordChanged


def _capture() -> tuple[logging.Logger, io.StringIO]:
    buffer = io.StringIO()
    logger = logging.getLogger("genxsop.test_logs")
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.JsonLineFormatter())
    logging.getLogger("genxsop").addHandler(handler)
    logging.getLogger("genxsop").setLevel(logging.INFO)
    return logger, buffer


def _lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_line_is_json_with_the_bound_ids_and_extra_fields():
    logger, buffer = _capture()
    with logs.context(user="dana", session="s-1"):
        logger.info("saved %d cells", 3, extra={"plan_version": 7})
    logger.info("outside")
    inside, outside = _lines(buffer)
    assert inside["message"] == "saved 3 cells" and inside["level"] == "info"
    assert (inside["user"], inside["session"], inside["plan_version"]) == ("dana", "s-1", 7)
    assert "user" not in outside


def test_contexts_nest_and_each_thread_has_its_own_ids():
    logger, buffer = _capture()

    def planner(name: str) -> None:
        with logs.context(user=name):
            with logs.context(run=int(name[-1])):
                logger.info("run step")
            logger.info("after the run")

    threads = [threading.Thread(target=planner, args=(f"user{i}",)) for i in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = _lines(buffer)
    assert {(line["user"], line.get("run")) for line in lines if line["message"] == "run step"} == \
        {(f"user{i}", i) for i in range(1, 5)}
    assert all("run" not in line for line in lines if line["message"] == "after the run")


def test_exceptions_are_one_line_with_the_traceback_as_a_field():
    logger, buffer = _capture()
    try:
        raise ValueError("bad cell")
    except ValueError:
        logger.exception("import failed")
    (line,) = _lines(buffer)
    assert line["level"] == "error" and "ValueError: bad cell" in line["error"]


def test_events_are_logged_with_their_entity_and_a_forecast_run_with_its_id():
    _, buffer = _capture()
    log_event(RecordChanged("dana", action="create", entity="forecast_run", key="42"))
    (line,) = _lines(buffer)
    assert (line["event"], line["actor"], line["entity"], line["run"]) == ("RecordChanged", "dana",
                                                                          "forecast_run", 42)


def test_ids_travel_to_a_child_process_through_the_environment(monkeypatch):
    with logs.context(user="dana", session="s-9"):
        monkeypatch.setenv(logs.CONTEXT_ENV, logs.ids_for_child()[logs.CONTEXT_ENV])
    assert logs.inherited_ids() == {"user": "dana", "session": "s-9"}
    monkeypatch.setenv(logs.CONTEXT_ENV, "not json")
    assert logs.inherited_ids() == {}


def test_configure_logging_writes_a_file_once(tmp_path):
    logger = logging.getLogger("genxsop")
    saved = list(logger.handlers)
    try:
        logger.handlers = []
        logs.configure_logging(str(tmp_path), stream=io.StringIO())
        logs.configure_logging(str(tmp_path), stream=io.StringIO())  # idempotent
        assert len(logger.handlers) == 2
        logging.getLogger("genxsop.x").info("hello")
        for handler in logger.handlers:
            handler.flush()
        assert json.loads((tmp_path / logs.LOG_FILE_NAME).read_text().splitlines()[-1])["message"] == "hello"
    finally:
        for handler in logger.handlers:
            handler.close()
        logger.handlers = saved
