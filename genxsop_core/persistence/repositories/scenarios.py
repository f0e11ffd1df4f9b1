"""Pinned scenarios."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    Scenario,
)


class ScenarioRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, scenario: Scenario) -> None:
        self.session.add(scenario)

    def get(self, scenario_id: int) -> Scenario | None:
        return self.session.get(Scenario, scenario_id)

    def listing(self, base_plan_version_id: int | None = None) -> pd.DataFrame:
        """Pinned scenarios (of one plan version), newest first."""
        query = select(Scenario.id, Scenario.name, Scenario.status, Scenario.note, Scenario.created_by,
                       Scenario.created_at, Scenario.base_plan_version_id, Scenario.cycle_id, Scenario.levers,
                       Scenario.results)
        if base_plan_version_id is not None:
            query = query.where(Scenario.base_plan_version_id == base_plan_version_id)
        result = self.session.execute(query.order_by(Scenario.id.desc()))
        return pd.DataFrame(result.all(), columns=list(result.keys()))
