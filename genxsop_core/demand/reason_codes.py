"""The managed list of override reasons: admins add, describe and retire codes.

A retired code stays on the overrides that used it (history keeps its meaning) but is no
longer offered in the override grid.
"""
from __future__ import annotations

import re

import pandas as pd

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.models import ReasonCode
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.persistence.repositories.protocols import ReasonCodeWork

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")


def list_reason_codes(uow: ReasonCodeWork) -> pd.DataFrame:
    """code, description, active: every code, retired ones included."""
    with uow:
        codes = uow.plans.reason_codes(active_only=False)
        return pd.DataFrame([{"code": c.code, "description": c.description, "active": c.active} for c in codes],
                            columns=["code", "description", "active"])


def add_reason_code(uow: ReasonCodeWork, actor: Actor, code: str, description: str) -> None:
    require(actor, "reason_codes.manage")
    code, description = code.strip().upper(), description.strip()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(f"reason code {code!r}: 2-40 characters, letters, digits and _, starting with a letter")
    if not description or len(description) > 200:
        raise InvalidInput("a reason code needs a description of 1-200 characters")
    with uow:
        if any(c.code == code for c in uow.plans.reason_codes(active_only=False)):
            raise Conflict(f"reason code {code} already exists")
        uow.plans.add_reason_code(ReasonCode(code=code, description=description))
        uow.publish(RecordChanged(actor.username, action="create", entity="reason_code", key=code,
                                  after={"code": code, "description": description, "active": True}))
        uow.commit()


def set_reason_code_active(uow: ReasonCodeWork, actor: Actor, code: str, active: bool) -> None:
    """Retire a code (no longer offered) or bring it back."""
    require(actor, "reason_codes.manage")
    with uow:
        found = next((c for c in uow.plans.reason_codes(active_only=False) if c.code == code), None)
        if found is None:
            raise NotFound(f"no reason code {code!r}")
        before = {"active": found.active}
        found.active = bool(active)
        uow.publish(RecordChanged(actor.username, action="update", entity="reason_code", key=code,
                                  before=before, after={"active": found.active}))
        uow.commit()
