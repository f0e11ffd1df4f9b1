"""In-process event bus: services announce what happened; audit and logging listen.

Two moments to listen at. `in_transaction` handlers run inside the unit of work just
before it commits, on the same session, so a write and its audit record land or fail
together. `after_commit` handlers (logging, notifications) run once the data is safe.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from genxsop_core.domain.models import utcnow

Moment = Literal["in_transaction", "after_commit"]


@dataclass(frozen=True)
class Event:
    """Something that happened, by whom. Subclasses add what."""

    actor: str
    at: datetime = field(default_factory=utcnow, kw_only=True)

    def describe(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class RecordChanged(Event):
    """A record was created, updated or deleted; before/after are plain JSON-able dicts."""

    action: str  # create | update | delete | or a domain verb such as approve
    entity: str
    key: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    def describe(self) -> str:
        return f"{self.action} {self.entity} {self.key}"


@dataclass(frozen=True)
class DataImported(Event):
    """A file was imported; `changes` holds the before/after of every row it touched."""

    kind: str
    file: str
    inserted: int
    updated: int
    unchanged: int
    changes: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        return (f"import {self.kind} from {self.file}: {self.inserted} new, {self.updated} updated, "
                f"{self.unchanged} unchanged")


Handler = Callable[..., None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[Moment, dict[type[Event], list[Handler]]] = {
            "in_transaction": defaultdict(list),
            "after_commit": defaultdict(list),
        }

    def subscribe(self, event_type: type[Event], handler: Handler, moment: Moment) -> None:
        self._handlers[moment][event_type].append(handler)

    def _matching(self, event: Event, moment: Moment) -> list[Handler]:
        return [h for t, hs in self._handlers[moment].items() if isinstance(event, t) for h in hs]

    def dispatch_in_transaction(self, events: list[Event], session: Session) -> None:
        for event in events:
            for handler in self._matching(event, "in_transaction"):
                handler(event, session)

    def dispatch_after_commit(self, events: list[Event]) -> None:
        for event in events:
            for handler in self._matching(event, "after_commit"):
                try:
                    handler(event)
                except Exception:  # a failing listener must not undo a committed write
                    logging.getLogger(__name__).exception("after-commit handler failed")


def jsonable(value: Any) -> Any:
    """Dates and numpy scalars as JSON-friendly values for before/after snapshots."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The before/after of a record change: the named fields as JSON-able values."""
    return {f: jsonable(getattr(obj, f)) for f in fields}
