"""Generation counters per area of data (table data_generation): what page caches key on."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import case, inspect, literal, select, update
from sqlalchemy.orm import Session

from genxsop_core.domain.models import DataGeneration, utcnow


class GenerationRepository:
    def __init__(self, session: Session):
        self.session = session

    def bump(self, areas: Iterable[str]) -> None:
        """Add one to the counter of each area, in a fixed (sorted) order: two transactions bumping
        the same areas take the row locks in the same order and so never deadlock on them."""
        for area in sorted(set(areas)):
            self.session.execute(update(DataGeneration).where(DataGeneration.area == area)
                                 .values(generation=DataGeneration.generation + 1, changed_at=utcnow()))

    def raise_to(self, floors: Mapping[str, int]) -> None:
        """Lift each area's counter to at least its floor (a restored database carries the older
        counters of its backup; a counter must never again show a number caches have seen)."""
        for area in sorted(floors):
            floor = literal(int(floors[area]))
            self.session.execute(update(DataGeneration).where(DataGeneration.area == area).values(
                generation=case((DataGeneration.generation < floor, floor), else_=DataGeneration.generation)))

    def current(self, areas: Iterable[str] | None = None) -> dict[str, int]:
        """area -> generation, in one query; every area when `areas` is None. An area the table
        lacks reads as 0."""
        wanted = None if areas is None else list(areas)
        statement = select(DataGeneration.area, DataGeneration.generation)
        if wanted is not None:
            statement = statement.where(DataGeneration.area.in_(wanted))
        found = {area: int(generation) for area, generation in self.session.execute(statement).all()}
        return found if wanted is None else {area: found.get(area, 0) for area in wanted}

    def table_exists(self) -> bool:
        """False in a database older than migration 0006 (a restore target before it is migrated)."""
        return inspect(self.session.connection()).has_table(DataGeneration.__tablename__)
