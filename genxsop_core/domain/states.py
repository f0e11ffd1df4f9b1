"""Every state a record can be in, named once.

The values are the strings stored in the database (a `StrEnum` member equals its string, so
rows, audit records and query filters read the same as before). Code compares against these
members instead of repeating literals; the models take their defaults from them.
"""
from __future__ import annotations

from enum import StrEnum


class PlanKind(StrEnum):
    """Which plan a plan version holds."""

    DEMAND = "demand"
    SUPPLY = "supply"


class PlanStatus(StrEnum):
    """draft -> submitted -> approved; a version replaced by a promoted scenario's is superseded
    (kept, read-only). Only a draft can be edited; an approved version is read-only and kept."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class CycleStage(StrEnum):
    """The stages of the monthly S&OP cycle, in the order they follow each other."""

    DATA_GATHERING = "data_gathering"
    DEMAND_REVIEW = "demand_review"
    SUPPLY_REVIEW = "supply_review"
    PRE_SOP = "pre_sop"
    EXECUTIVE_SOP = "executive_sop"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    """An action agreed in an S&OP meeting."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class RunStatus(StrEnum):
    """A forecast run: queued -> running -> done, or failed (also when its worker died)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


UNFINISHED_RUN: tuple[RunStatus, ...] = (RunStatus.QUEUED, RunStatus.RUNNING)  # a worker has it or will
FINISHED_RUN: tuple[RunStatus, ...] = (RunStatus.DONE, RunStatus.FAILED)


class SupplyKind(StrEnum):
    """How a planned receipt is sourced: own production (loads capacity) or a purchase."""

    MAKE = "make"
    BUY = "buy"
