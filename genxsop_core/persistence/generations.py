"""Counting changes per area of data in the database, and reading the counts back.

`count_changes` is an in-transaction handler on the default bus (unit_of_work.default_bus): the
counters of the areas an event touches (domain.generations) move in the same transaction as the
write, so they commit or roll back with it and every replica reads them. `generations` is what a
page cache keys on: one tiny query per rerun instead of fingerprints over whole tables.

Read the generations BEFORE reading the data they stand for: a write that commits in between
then costs one extra load later, never a cache entry with old figures under a new key.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, SessionTransaction

from genxsop_core.domain.events import Event
from genxsop_core.domain.generations import DataArea, areas_touched
from genxsop_core.persistence.repositories import GenerationRepository

if TYPE_CHECKING:  # the unit of work registers count_changes on its bus: no import at run time
    from genxsop_core.persistence.unit_of_work import UnitOfWork

_BUMPED = "genxsop.generations_bumped"  # session.info: (transaction, areas bumped in it)


def count_changes(event: Event, session: Session) -> None:
    """Add one to the generation of each area `event` touches, once per area and transaction
    however many events of the commit touch it."""
    touched = areas_touched(event)
    if not touched:
        return
    transaction = session.get_transaction()
    seen: tuple[SessionTransaction | None, set[str]] = session.info.get(_BUMPED, (None, set()))
    bumped = seen[1] if seen[0] is transaction else set()
    fresh = set(touched) - bumped
    if fresh:
        GenerationRepository(session).bump(fresh)
        session.info[_BUMPED] = (transaction, bumped | fresh)


def generations(uow: UnitOfWork, areas: Iterable[DataArea]) -> tuple[int, ...]:
    """The current generation of each of `areas`, in the order given, in one query."""
    wanted = list(areas)
    with uow:
        current = GenerationRepository(uow.session).current(wanted)
    return tuple(current[area] for area in wanted)
