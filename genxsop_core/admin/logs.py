"""Structured logs: one JSON object per line, carrying who (user), where (session) and which run.

The ids live in a context variable bound at the start of each Streamlit rerun, CLI command
and forecast worker, so every line a service writes underneath is tagged without passing
ids around. `grep '"run": 42'` follows one forecast run from the click that queued it to the
worker that wrote it; `grep '"user": "dana"'` follows one planner.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOGGER_NAME = "genxsop"
LOG_FILE_NAME = "genxsop.jsonl"
CONTEXT_ENV = "GENXSOP_LOG_CONTEXT"  # hands the ids to a worker process the app starts
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

# never changed in place (each change sets a new dict), so the shared empty default is safe
_ids: ContextVar[dict[str, Any]] = ContextVar("genxsop_log_ids", default={})  # noqa: B039


def bind(**ids: Any) -> None:
    """Tag every later line of this rerun / command / worker with `ids` (None values drop a key)."""
    merged = {**_ids.get(), **ids}
    _ids.set({k: v for k, v in merged.items() if v is not None})


@contextmanager
def context(**ids: Any) -> Iterator[None]:
    """Tag the lines written inside the block, then restore the ids before it."""
    token = _ids.set({k: v for k, v in {**_ids.get(), **ids}.items() if v is not None})
    try:
        yield
    finally:
        _ids.reset(token)


def current_ids() -> dict[str, Any]:
    return dict(_ids.get())


def ids_for_child() -> dict[str, str]:
    """Environment entries that carry the current ids into a child process."""
    return {CONTEXT_ENV: json.dumps(current_ids(), default=str)}


def inherited_ids() -> dict[str, Any]:
    """The ids of whoever started this process (a worker the app launched), or none."""
    try:
        ids = json.loads(os.environ.get(CONTEXT_ENV) or "{}")
    except ValueError:
        return {}  # a malformed hand-over costs the tags, never the run
    return ids if isinstance(ids, dict) else {}


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment (test runners and Streamlit swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class JsonLineFormatter(logging.Formatter):
    """time, level, logger, message, the bound ids and any `extra=` fields; exceptions as text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
            **_ids.get(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(log_dir: str | None = None, stream: Any = None) -> logging.Logger:
    """JSON lines from the `genxsop` loggers on stderr and, with GENXSOP_LOG_DIR, in genxsop.jsonl.

    Idempotent: a second call changes nothing, so every entry point may call it.
    """
    logger = logging.getLogger(LOGGER_NAME)
    if any(getattr(h, "_genxsop", False) for h in logger.handlers):
        return logger
    handlers: list[logging.Handler] = [logging.StreamHandler(stream) if stream else _CurrentStderr()]
    folder = log_dir or os.environ.get("GENXSOP_LOG_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(Path(folder) / LOG_FILE_NAME, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(JsonLineFormatter())
        handler._genxsop = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


_event_log = logging.getLogger("genxsop.events")


def log_event(event: Any) -> None:
    """Logging handler: one line per committed event, its kind and key as fields of the JSON line."""
    fields = {"event": type(event).__name__, "actor": event.actor}
    for name in ("action", "entity", "key", "kind", "file"):
        if hasattr(event, name):
            fields[name] = getattr(event, name)
    if fields.get("entity") == "forecast_run" and str(fields.get("key", "")).isdigit():
        fields["run"] = int(fields["key"])  # so one grep follows a run from its request to its end
    _event_log.info("%s by %s", event.describe(), event.actor, extra=fields)
