"""S&OP cycles, their sign-offs, decisions, actions and meeting packs."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    MeetingPack,
    SopAction,
    SopCycle,
    SopDecision,
    SopSignOff,
)


class CycleRepository:
    """The record of S&OP cycles: sign-offs, decisions, actions (cycles themselves: PlanVersionRepository)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, record: SopSignOff | SopDecision | SopAction) -> None:
        self.session.add(record)

    def _frame(self, query: Select) -> pd.DataFrame:
        result = self.session.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def listing(self) -> pd.DataFrame:
        return self._frame(select(SopCycle.id, SopCycle.name, SopCycle.month, SopCycle.stage, SopCycle.closed_at,
                                  SopCycle.frozen_by).order_by(SopCycle.month.desc()))

    def signoff(self, cycle_id: int, stage: str, username: str) -> SopSignOff | None:
        return self.session.scalar(select(SopSignOff).where(
            SopSignOff.cycle_id == cycle_id, SopSignOff.stage == stage, SopSignOff.username == username))

    def signoffs(self, cycle_id: int) -> pd.DataFrame:
        return self._frame(select(SopSignOff.stage, SopSignOff.username, SopSignOff.role, SopSignOff.comment,
                                  SopSignOff.signed_at).where(SopSignOff.cycle_id == cycle_id)
                           .order_by(SopSignOff.signed_at))

    def decisions(self, cycle_id: int) -> pd.DataFrame:
        return self._frame(select(SopDecision.id, SopDecision.text, SopDecision.scenario_id, SopDecision.decided_by,
                                  SopDecision.decided_at).where(SopDecision.cycle_id == cycle_id)
                           .order_by(SopDecision.id))

    def actions(self, cycle_id: int) -> pd.DataFrame:
        return self._frame(select(SopAction.id, SopAction.text, SopAction.owner, SopAction.due, SopAction.status,
                                  SopAction.created_by).where(SopAction.cycle_id == cycle_id).order_by(SopAction.id))

    def action(self, action_id: int) -> SopAction | None:
        return self.session.get(SopAction, action_id)

    def add_packs(self, packs: list[MeetingPack]) -> None:
        self.session.add_all(packs)
        self.session.flush()

    def packs(self, cycle_id: int) -> pd.DataFrame:
        """id, kind, file_name, size (bytes), sha256, created_by, created_at of a cycle's packs, newest first."""
        return self._frame(select(MeetingPack.id, MeetingPack.kind, MeetingPack.file_name,
                                  func.length(MeetingPack.content).label("size"), MeetingPack.sha256,
                                  MeetingPack.created_by, MeetingPack.created_at)
                           .where(MeetingPack.cycle_id == cycle_id).order_by(MeetingPack.id.desc()))

    def pack(self, pack_id: int) -> MeetingPack | None:
        return self.session.get(MeetingPack, pack_id)
