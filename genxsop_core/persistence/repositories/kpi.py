"""KPI targets."""
from __future__ import annotations

from typing import Any, cast

import pandas as pd
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    KpiTarget,
)


class KpiTargetRepository:
    def __init__(self, session: Session):
        self.session = session

    def frame(self) -> pd.DataFrame:
        """kpi, level, key, target, green, amber, higher_is_better of every stored target."""
        result = self.session.execute(select(KpiTarget.kpi, KpiTarget.level, KpiTarget.key, KpiTarget.target,
                                             KpiTarget.green, KpiTarget.amber, KpiTarget.higher_is_better))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def get(self, kpi: str, level: str, key: str) -> KpiTarget | None:
        return self.session.scalar(select(KpiTarget).where(KpiTarget.kpi == kpi, KpiTarget.level == level,
                                                           KpiTarget.key == key))

    def add(self, target: KpiTarget) -> None:
        self.session.add(target)

    def update_if_unchanged(self, target: KpiTarget, seen: dict[str, Any], values: dict[str, Any]) -> bool:
        """Write `values` to a stored target only while it still holds `seen`, the values the caller read
        (the table keeps no row version: its values are the lock). False, and nothing written, when
        someone changed it in between."""
        statement = update(KpiTarget).where(KpiTarget.id == target.id,
                                            *[getattr(KpiTarget, field) == value for field, value in seen.items()])
        # an UPDATE's result is a CursorResult (it has rowcount); Session.execute is typed for any statement
        return cast(CursorResult, self.session.execute(statement.values(values))).rowcount == 1
